// The real server reports Java and Rust functions without telemetry, pulled and pushed, honours
// suppression comments, offers the "Ignore" quick fix in their comment syntax, and reports nothing
// for the hand-instrumented fixtures.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { LspClient, repoRoot } from './lsp-client.js';

const cases = [
  {
    languageId: 'java',
    file: 'Calc.java',
    fixture: 'fixtures/java/Calc.java',
    instrumented: 'fixtures/java/instrumented/Calc.java',
    names: ['Calc.Calc', 'Calc.add', 'Calc.divide', 'Calc.evens', 'Calc.initial', 'Calc.serve', 'Calc.main', 'Base.Base'],
  },
  {
    languageId: 'rust',
    file: 'main.rs',
    fixture: 'fixtures/rust/main.rs',
    instrumented: 'fixtures/rust/instrumented/main.rs',
    names: ['Counter.new', 'Counter.add', 'parse_sum', 'checked_div', 'boom', 'serve', 'main'],
  },
];

const nameAt = (text: string, d: Diagnostic): string => {
  const line = text.split('\n')[d.range.start.line]!;
  return line.slice(d.range.start.character, d.range.end.character);
};

describe.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])('Java and Rust diagnostics for %s', (editor) => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-java-rust-'));
    client = await LspClient.start({ editor, workspace });
  });

  afterAll(async () => {
    await client.shutdown();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it.each(cases)('reports each $languageId function without probes on its name, and none for the one a comment suppresses', async ({ languageId, file, fixture, names }) => {
    const text = fs.readFileSync(path.join(repoRoot, fixture), 'utf8');
    const document = await client.open(path.join(workspace, file), languageId, text);
    const diagnostics = await client.diagnostics(document);
    expect(diagnostics.map((d) => [d.source, d.code])).toEqual(names.map(() => ['telemetry', 'missing-telemetry']));
    expect(diagnostics.map((d) => nameAt(text, d))).toEqual(names.map((n) => n.split('.').at(-1)));
    await client.close(document);
  });

  it.each(cases)('reports nothing for the hand-instrumented $languageId fixture', async ({ languageId, file, instrumented }) => {
    const text = fs.readFileSync(path.join(repoRoot, instrumented), 'utf8');
    const document = await client.open(path.join(workspace, `instrumented-${file}`), languageId, text);
    expect(await client.diagnostics(document)).toEqual([]);
    await client.close(document);
  });

  it.each(cases)('offers "Ignore" for a $languageId function, whose edit silences its diagnostic', async ({ languageId, file, fixture, names }) => {
    const text = fs.readFileSync(path.join(repoRoot, fixture), 'utf8');
    const document = await client.open(path.join(workspace, `ignore-${file}`), languageId, text);
    const [first] = await client.diagnostics(document);
    const actions = await client.codeActions(document, first!.range, ['quickfix'], [first!]);
    const ignore = actions.find((a) => a.title === `Ignore \`${names[0]}\` for telemetry`);
    expect(ignore).toBeDefined();
    await client.apply((await client.editOf(ignore!))!);
    expect(document.text).toContain('// telemetry: ignore');
    expect((await client.diagnostics(document)).map((d) => nameAt(document.text, d))).toEqual(names.slice(1).map((n) => n.split('.').at(-1)));
    await client.close(document);
  });
});
