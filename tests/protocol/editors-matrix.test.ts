import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { editors, languages, makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const pullEditors = new Set(['neovim-0.11.0', 'neovim-0.12.0', 'helix-master-079a789e', 'zed-main-38df25d5']);

describe.each(editors)('with the initialize params of %s', (editor) => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor, workspace });
  });

  afterAll(async () => {
    await client?.shutdown();
    removeWorkspace(workspace);
  });

  it('chooses pull diagnostics exactly when the editor declares them', () => {
    expect(client.pulls).toBe(pullEditors.has(editor) || editor.startsWith('vscode'));
  });

  describe.each(languages)('in $lang', ({ file, languageId, functions, runtime }) => {
    let document: OpenDocument;
    let original: string;

    beforeAll(async () => {
      document = await client.open(path.join(workspace, file), languageId);
      original = document.text;
    });

    it('reports a diagnostic on the name of every function without telemetry', async () => {
      const diagnostics = await client.diagnostics(document);
      expect(diagnostics.map((d) => d.message)).toEqual(functions.map((name) => `\`${name}\` lacks telemetry`));
      for (const d of diagnostics) {
        expect(d).toMatchObject({ source: 'telemetry', code: 'missing-telemetry', severity: 2 });
        expect(d.codeDescription?.href).toMatch(/^https:\/\/.*#missing-telemetry$/);
        expect(textAt(document.text, d)).toBe(functions.find((name) => d.message.includes(name))!.split('.').at(-1));
      }
    });

    it('applies the preferred quickfix to one function and then the fixAll edit to the rest', async () => {
      const [first] = await client.diagnostics(document);
      const quickfixes = await client.codeActions(document, first!.range, ['quickfix'], [first!]);
      const add = quickfixes.find((a) => a.title === `Add telemetry to \`${functions[0]}\``);
      expect(add).toMatchObject({ kind: 'quickfix', isPreferred: true, diagnostics: [first] });
      await client.apply((await client.editOf(add!))!);
      expect(fs.existsSync(path.join(workspace, runtime))).toBe(true);
      const remaining = await client.diagnostics(document);
      expect(remaining.map((d) => d.message)).toEqual(functions.slice(1).map((name) => `\`${name}\` lacks telemetry`));

      const [fixAll] = await client.codeActions(document, first!.range, ['source.fixAll']);
      expect(fixAll).toMatchObject({ kind: 'source.fixAll.telemetry', title: 'Add telemetry to all functions in file' });
      await client.apply((await client.editOf(fixAll!))!);
      expect(document.text).not.toBe(original);
      expect(document.text.match(/_tm\.\w+\(/g)?.length ?? 0).toBeGreaterThanOrEqual(functions.length);
    });

    it('clears the diagnostics once every function has telemetry', async () => {
      expect(await client.diagnostics(document)).toEqual([]);
    });

    it('restores the original text byte for byte when telemetry is removed from the file', async () => {
      const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
      const [remove] = await client.codeActions(document, whole, ['source.removeTelemetry']);
      expect(remove).toMatchObject({ kind: 'source.removeTelemetry', title: 'Remove telemetry from file' });
      await client.apply((await client.editOf(remove!))!);
      expect(document.text).toBe(original);
      expect(await client.diagnostics(document)).toHaveLength(functions.length);
    });
  });

  it('never pushes diagnostics to an editor that pulls them, and leaves no message unhandled', () => {
    const pushes = client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics');
    if (client.pulls) expect(pushes).toEqual([]);
    else expect(pushes.length).toBeGreaterThan(0);
    expect(client.unhandled).toEqual([]);
    expect(client.logs().filter((line) => /unhandled|failed/i.test(line))).toEqual([]);
  });
});

function textAt(text: string, d: Diagnostic): string {
  const lines = text.split(/\r\n|\r|\n/);
  return lines[d.range.start.line]!.slice(d.range.start.character, d.range.end.character);
}
