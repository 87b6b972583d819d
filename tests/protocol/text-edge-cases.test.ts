import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

/** The range of `needle` as an independent LSP implementation computes it. */
function rangeOf(document: OpenDocument, needle: string): Diagnostic['range'] {
  const oracle = TextDocument.create(document.uri, document.languageId, document.version, document.text);
  const start = document.text.indexOf(needle);
  return { start: oracle.positionAt(start), end: oracle.positionAt(start + needle.length) };
}

describe.each(['vscode-languageclient-11.0.0', 'helix-25.07.1'])('text edge cases with %s', (editor) => {
  let client: LspClient;
  let workspace: string;
  const file = (name: string) => path.join(workspace, name);

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor, workspace, initializationOptions: { telemetryInjector: { maxFileSize: 4096 } } });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  it('reports only the intact functions of a file with a syntax error', async () => {
    const text = 'function good(a) {\n  return a;\n}\n\nfunction broken(b) {\n  return b +;\n}\n\nfunction alsoGood() {\n  return 1;\n}\n';
    const document = await client.open(file('broken.js'), 'javascript', text);
    expect((await client.diagnostics(document)).map((d) => d.message)).toEqual([
      '`good` lacks telemetry',
      '`alsoGood` lacks telemetry',
    ]);
  });

  it('keeps ranges exact on CRLF lines after astral-plane characters, and round-trips the text', async () => {
    const text = "'use strict';\r\n/* 😀 𝒻 */ function greet(name) {\r\n  return `😀 ${name}`;\r\n}\r\n";
    const document = await client.open(file('astral.js'), 'javascript', text);
    const [diagnostic] = await client.diagnostics(document);
    expect(diagnostic!.range).toEqual(rangeOf(document, 'greet'));
    expect(diagnostic!.range.start).toEqual({ line: 1, character: 21 });
    const [add] = await client.codeActions(document, diagnostic!.range, ['quickfix'], [diagnostic!]);
    await client.apply((await client.editOf(add!))!);
    expect(document.text).not.toMatch(/[^\r]\n/);
    expect(await client.diagnostics(document)).toEqual([]);
    const [remove] = await client.codeActions(document, diagnostic!.range, ['source.removeTelemetry']);
    await client.apply((await client.editOf(remove!))!);
    expect(document.text).toBe(text);
  });

  it('counts a lone CR as a line break, as LSP does and tree-sitter does not', async () => {
    const text = 'function first() {\r  return 1;\r}\r\rfunction second() {\r  return 2;\r}\r';
    const document = await client.open(file('cr-only.js'), 'javascript', text);
    const diagnostics = await client.diagnostics(document);
    expect(diagnostics.map((d) => d.range)).toEqual([rangeOf(document, 'first'), rangeOf(document, 'second')]);
    expect(diagnostics[1]!.range.start.line).toBe(4);
  });

  it('skips a file larger than maxFileSize with a log line and offers nothing for it', async () => {
    const text = `function big() {\n  return 1;\n}\n${'// padding\n'.repeat(500)}`;
    const document = await client.open(file('big.js'), 'javascript', text);
    expect(await client.diagnostics(document)).toEqual([]);
    expect(await client.codeActions(document, rangeOf(document, 'big'))).toEqual([]);
    await client.waitFor(() => client.logs().find((line) => line.includes('big.js') && line.includes('maxFileSize')));
  });

  it('skips a file containing NUL bytes with a log line', async () => {
    const document = await client.open(file('nul.py'), 'python', 'def f():\n    return "\0"\n');
    expect(await client.diagnostics(document)).toEqual([]);
    await client.waitFor(() => client.logs().find((line) => line.includes('nul.py') && line.includes('NUL')));
  });
});
