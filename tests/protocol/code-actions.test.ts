import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, TextDocumentEdit } from 'vscode-languageserver';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const cursorOn = (document: OpenDocument, needle: string) => {
  const before = document.text.slice(0, document.text.indexOf(needle)).split('\n');
  const position = { line: before.length - 1, character: before.at(-1)!.length };
  return { start: position, end: position };
};
const kinds = (actions: CodeAction[]) => actions.map((a) => a.kind);

describe('code actions for VS Code (lazy edits through codeAction/resolve)', () => {
  let client: LspClient;
  let workspace: string;
  let document: OpenDocument;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    document = await client.open(path.join(workspace, 'python/greeter.py'), 'python');
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  it('offers add, ignore, fixAll and nothing to remove on an uninstrumented function', async () => {
    const actions = await client.codeActions(document, cursorOn(document, 'greet('));
    expect(actions.map((a) => [a.kind, a.title])).toEqual([
      ['quickfix', 'Add telemetry to `greet`'],
      ['quickfix', 'Ignore `greet` for telemetry'],
      ['source.fixAll.telemetry', 'Add telemetry to all functions in file'],
    ]);
  });

  it('honours context.only by prefix', async () => {
    const range = cursorOn(document, 'greet(');
    expect(kinds(await client.codeActions(document, range, ['source']))).toEqual(['source.fixAll.telemetry']);
    expect(kinds(await client.codeActions(document, range, ['source.fixAll']))).toEqual(['source.fixAll.telemetry']);
    expect(kinds(await client.codeActions(document, range, ['quickfix']))).toEqual(['quickfix', 'quickfix']);
    expect(await client.codeActions(document, range, ['refactor'])).toEqual([]);
    expect(await client.codeActions(document, range, ['source.organizeImports'])).toEqual([]);
    expect(await client.codeActions(document, range, ['sourcery'])).toEqual([]);
  });

  it('sends actions without an edit but with data, and fills the edit in on resolve', async () => {
    const [add] = await client.codeActions(document, cursorOn(document, 'greet('), ['quickfix']);
    expect(add!.edit).toBeUndefined();
    expect(add!.data).toMatchObject({ uri: document.uri, version: document.version });
    const resolved = await client.resolve(add!);
    const edits = resolved.edit!.documentChanges!.filter((c): c is TextDocumentEdit => 'textDocument' in c);
    expect(edits.find((e) => e.textDocument.uri === document.uri)!.textDocument.version).toBe(document.version);
  });

  it('refuses to resolve an action offered for an older version of the document', async () => {
    const [add] = await client.codeActions(document, cursorOn(document, 'greet('), ['quickfix']);
    await client.change(document, `${document.text}\n# edited\n`);
    const resolved = await client.resolve(add!);
    expect(resolved.edit).toBeUndefined();
    expect(resolved.disabled?.reason).toMatch(/changed/);
  });

  it('ignores a function with a suppression comment, after which it is no longer reported', async () => {
    const ignore = (await client.codeActions(document, cursorOn(document, 'fetch('), ['quickfix'])).find((a) =>
      a.title.startsWith('Ignore'),
    );
    await client.apply((await client.editOf(ignore!))!);
    expect(document.text).toMatch(/# telemetry: ignore\r?\nasync def fetch/);
    const messages = (await client.diagnostics(document)).map((d) => d.message);
    expect(messages).not.toContain('`fetch` lacks telemetry');
    expect(messages).toContain('`greet` lacks telemetry');
  });

  it('offers to remove telemetry from the instrumented function under the cursor only', async () => {
    const [add] = await client.codeActions(document, cursorOn(document, 'bump('), ['quickfix']);
    const before = document.text;
    await client.apply((await client.editOf(add!))!);
    const inside = cursorOn(document, 'self.count += by');
    const [remove] = await client.codeActions(document, inside, ['refactor']);
    expect(remove).toMatchObject({ kind: 'refactor.rewrite', title: 'Remove telemetry from `Counter.bump`' });
    expect(await client.codeActions(document, cursorOn(document, 'greet('), ['refactor'])).toEqual([]);
    await client.apply((await client.editOf(remove!))!);
    // The import stays: only the whole-file removal takes it away.
    expect(document.text.replace(/^import telemetry_runtime as _tm\r?\n/m, '')).toBe(before);
  });

  it('adds telemetry to the whole file through the telemetryInjector.addToFile command, applied with workspace/applyEdit', async () => {
    const commands = client.initializeResult.capabilities.executeCommandProvider?.commands;
    expect(commands).toEqual([
      'telemetryInjector.addToFile',
      'telemetryInjector.removeFromFile',
      'telemetryInjector.traceFunction',
      'telemetryInjector.stopTracing',
      'telemetryInjector.scanWorkspace',
      'telemetryInjector.showFunctionTrace',
      'telemetryInjector.addWithLlm',
    ]);
    await client.request('workspace/executeCommand', { command: 'telemetryInjector.addToFile', arguments: [document.uri, document.version] });
    expect(client.requests.some((r) => r.method === 'workspace/applyEdit')).toBe(true);
    expect(await client.diagnostics(document)).toEqual([]);
  });

  it('rejects a command issued for an older version without editing anything', async () => {
    const text = document.text;
    const applied = client.requests.filter((r) => r.method === 'workspace/applyEdit').length;
    await expect(
      client.request('workspace/executeCommand', { command: 'telemetryInjector.removeFromFile', arguments: [document.uri, document.version - 1] }),
    ).rejects.toThrow(/version/);
    expect(client.requests.filter((r) => r.method === 'workspace/applyEdit')).toHaveLength(applied);
    expect(document.text).toBe(text);
  });
});

describe('code actions for an editor without resolve support (eager edits)', () => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({
      editor: 'helix-25.07.1',
      workspace,
      patch: (params) => delete params.capabilities.textDocument!.codeAction!.resolveSupport,
    });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  it('does not advertise codeAction/resolve and sends every edit pinned to the version it was computed for', async () => {
    expect(client.initializeResult.capabilities.codeActionProvider).toMatchObject({ resolveProvider: false });
    const document = await client.open(path.join(workspace, 'javascript/greeter.js'), 'javascript');
    const actions = await client.codeActions(document, cursorOn(document, 'greet('));
    expect(actions.length).toBeGreaterThan(0);
    for (const action of actions) {
      expect(action.data).toBeUndefined();
      const sourceEdit = action.edit!.documentChanges!.find(
        (c): c is TextDocumentEdit => 'textDocument' in c && c.textDocument.uri === document.uri,
      );
      expect(sourceEdit!.textDocument.version).toBe(1);
    }
    await client.change(document, `${document.text}// edited\n`);
    await expect(client.apply(actions[0]!.edit!)).rejects.toThrow(/version 1/);
  });
});
