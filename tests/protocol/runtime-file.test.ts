import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeAction, InitializeParams } from 'vscode-languageserver';
import { languages, makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const MessageType = { Error: 1, Info: 3 };
let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

async function start(editor: string, options: { patch?: (p: InitializeParams) => void; initializationOptions?: unknown } = {}) {
  workspace = makeWorkspace();
  client = await LspClient.start({ editor, workspace, ...options });
  return client;
}

async function addAction(c: LspClient, document: OpenDocument): Promise<CodeAction | undefined> {
  const [first] = await c.diagnostics(document);
  const actions = await c.codeActions(document, first!.range, ['quickfix'], [first!]);
  return actions.find((a) => a.title.startsWith('Add telemetry'));
}

describe('the runtime module', () => {
  it.each(languages)('is created through CreateFile in the edit when the editor supports it ($lang)', async ({ file, languageId, runtime }) => {
    const c = await start('zed-main-38df25d5');
    const document = await c.open(path.join(workspace, file), languageId);
    const edit = (await c.editOf((await addAction(c, document))!))!;
    const runtimeUri = pathToFileURL(path.join(workspace, runtime)).href;
    expect(edit.documentChanges![0]).toEqual({ kind: 'create', uri: runtimeUri, options: { ignoreIfExists: true } });
    expect(fs.existsSync(path.join(workspace, runtime))).toBe(false);
    await c.apply(edit);
    const created = fs.readFileSync(path.join(workspace, runtime), 'utf8');
    expect(created.length).toBeGreaterThan(100);
    // The import the probes use points at that file.
    const imported = { python: 'telemetry_runtime', javascript: '../telemetry-runtime.cjs', typescript: '../telemetry-runtime.cjs', go: 'example.com/demo/telemetry' }[languageId]!;
    expect(document.text).toContain(imported);
  });

  it('is created through CreateFile for Neovim, which applies documentChanges without declaring them', async () => {
    const c = await start('neovim-0.11.0');
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const edit = (await c.editOf((await addAction(c, document))!))!;
    expect(edit.documentChanges?.[0]).toMatchObject({ kind: 'create' });
  });

  it('is written to disk by the server, with a message, when the editor cannot create files', async () => {
    const c = await start('vscode-languageclient-11.0.0', {
      patch: (params) => delete params.capabilities.workspace!.workspaceEdit!.resourceOperations,
    });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const edit = (await c.editOf((await addAction(c, document))!))!;
    expect(edit.documentChanges!.every((change) => !('kind' in change))).toBe(true);
    expect(fs.existsSync(path.join(workspace, 'telemetry_runtime.py'))).toBe(true);
    await c.waitFor(() => c.messages(MessageType.Info).find((m) => m.includes('telemetry_runtime.py')));
  });

  it('is written to disk by the server when the editor supports neither documentChanges nor resolve', async () => {
    const c = await start('vscode-languageclient-9.0.1', {
      patch: (params) => {
        delete params.capabilities.workspace!.workspaceEdit;
        delete params.capabilities.textDocument!.codeAction!.resolveSupport;
      },
    });
    const document = await c.open(path.join(workspace, 'go/greeter.go'), 'go');
    const action = (await addAction(c, document))!;
    expect(Object.keys(action.edit!.changes!)).toEqual([document.uri]);
    expect(fs.existsSync(path.join(workspace, 'telemetry/telemetry.go'))).toBe(true);
  });

  it("gives every eager add action its edit when the server writes the runtime (Eglot's case: planned at once on the pool)", async () => {
    const c = await start('vscode-languageclient-9.0.1', {
      patch: (params) => {
        delete params.capabilities.workspace!.workspaceEdit;
        delete params.capabilities.textDocument!.codeAction!.resolveSupport;
        delete params.capabilities.textDocument!.codeAction!.disabledSupport;
      },
    });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const [first] = await c.diagnostics(document);
    const actions = await c.codeActions(document, first!.range, undefined, [first!]);
    const adds = actions.filter((a) => a.title.startsWith('Add telemetry'));
    expect(adds.map((a) => a.title)).toEqual([expect.stringMatching(/^Add telemetry to `/), 'Add telemetry to all functions in file']);
    for (const add of adds) expect(Object.keys(add.edit!.changes!)).toEqual([document.uri]);
    expect(fs.existsSync(path.join(workspace, 'telemetry_runtime.py'))).toBe(true);
  });

  it.each([
    ['missing', 'no/such/folder', 'vscode-languageclient-11.0.0'],
    ['a file, not a folder', 'go.mod', 'vscode-languageclient-11.0.0'],
    ['missing', 'no/such/folder', 'neovim-0.7.2'],
  ])('leaves the source untouched and shows an error when the runtime path is %s (%s, %s)', async (_, runtimePath, editor) => {
    const c = await start(editor, { initializationOptions: { telemetryInjector: { runtimePath } } });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const original = document.text;
    const add = await addAction(c, document);
    if (editor.startsWith('vscode')) expect(add?.disabled?.reason).toMatch(/runtime path/);
    else expect(add).toBeUndefined(); // no disabledSupport: the action is left out
    await c.waitFor(() => c.messages(MessageType.Error).find((m) => m.includes('runtimePath')));
    await expect(
      c.request('workspace/executeCommand', { command: 'telemetryInjector.addToFile', arguments: [document.uri, document.version] }),
    ).resolves.toBeNull();
    expect(c.requests.filter((r) => r.method === 'workspace/applyEdit')).toEqual([]);
    expect(document.text).toBe(original);
    expect(fs.existsSync(path.join(workspace, 'telemetry_runtime.py'))).toBe(false);
  });
});
