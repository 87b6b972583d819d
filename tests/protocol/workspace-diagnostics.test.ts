import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Diagnostic, PublishDiagnosticsParams, Registration, WorkspaceDocumentDiagnosticReport } from 'vscode-languageserver';
import { languages, makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

const FileChangeType = { Created: 1, Changed: 2, Deleted: 3 };
const extraPython = '\n\ndef farewell(name):\n    return f"Bye, {name}"\n';

interface Setup {
  client: LspClient;
  workspace: string;
  uri(file: string): string;
}

/** A server on a fresh fixture workspace that also holds a gitignored file. */
function serve(editor: string): Setup {
  const setup = { workspace: '', uri: (file: string) => pathToFileURL(path.join(setup.workspace, file)).href } as Setup;
  beforeAll(async () => {
    setup.workspace = makeWorkspace();
    fs.writeFileSync(path.join(setup.workspace, '.gitignore'), 'ignored/\n');
    fs.mkdirSync(path.join(setup.workspace, 'ignored'));
    fs.writeFileSync(path.join(setup.workspace, 'ignored/skip.py'), 'def hidden():\n    pass\n');
    setup.client = await LspClient.start({ editor, workspace: setup.workspace });
  });
  afterAll(async () => {
    await setup.client.shutdown();
    removeWorkspace(setup.workspace);
  });
  return setup;
}

const pushes = (client: LspClient, uri: string) =>
  client.notifications
    .filter((n) => n.method === 'textDocument/publishDiagnostics')
    .map((n) => n.params as PublishDiagnosticsParams)
    .filter((p) => p.uri === uri);

/** Waits until the last push for `uri` (after the first `since` ones) has `count` diagnostics, and returns it. */
const pushedCount = (client: LspClient, uri: string, count: number, since = 0) =>
  client.waitFor(() => {
    const last = pushes(client, uri).slice(since).at(-1);
    return last?.diagnostics.length === count ? last : undefined;
  });

const watcherRegistration = (client: LspClient) =>
  client.requests
    .filter((r) => r.method === 'client/registerCapability')
    .flatMap((r) => (r.params as { registrations: Registration[] }).registrations)
    .find((r) => r.method === 'workspace/didChangeWatchedFiles');

const workspacePull = (client: LspClient, previousResultIds: { uri: string; value: string }[] = []) =>
  client.request<{ items: WorkspaceDocumentDiagnosticReport[] }>('workspace/diagnostic', { previousResultIds });

const messages = (items: Diagnostic[]) => items.map((d) => d.message);

describe('workspace diagnostics pushed to helix-25.07.1, which watches files', () => {
  const s = serve('helix-25.07.1');

  it('publishes every file on disk without a version, inside a $/progress begin and end, leaving gitignored files out', async () => {
    const { client } = s;
    for (const { file, functions } of languages) {
      const push = await pushedCount(client, s.uri(file), functions.length);
      expect(push.version).toBeUndefined();
      expect(messages(push.diagnostics)).toEqual(functions.map((name) => `\`${name}\` lacks telemetry`));
    }
    const progress = await client.waitFor(() => {
      const kinds = client.notifications.filter((n) => n.method === '$/progress').map((n) => (n.params as { value: { kind: string } }).value.kind);
      return kinds.includes('end') ? kinds : undefined;
    });
    expect(progress[0]).toBe('begin');
    expect(client.requests.some((r) => r.method === 'window/workDoneProgress/create')).toBe(true);
    expect(pushes(client, s.uri('ignored/skip.py'))).toEqual([]);
  });

  it('registers a watcher for source files and .gitignore, and reads a file changed on disk again', async () => {
    const { client } = s;
    const watchers = (watcherRegistration(client)!.registerOptions as { watchers: { globPattern: string }[] }).watchers;
    expect(watchers.map((w) => w.globPattern)).toEqual([
      '**/*.{py,pyw,js,mjs,cjs,jsx,ts,mts,cts,tsx,go,java,rs}',
      '**/.gitignore',
      '**/{telemetry.toml,.telemetry.toml,pyproject.toml}',
    ]);
    fs.appendFileSync(path.join(s.workspace, 'python/greeter.py'), extraPython);
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('python/greeter.py'), type: FileChangeType.Changed }] });
    const push = await pushedCount(client, s.uri('python/greeter.py'), 5);
    expect(messages(push.diagnostics).at(-1)).toBe('`farewell` lacks telemetry');
  });

  it('publishes a file created on disk, and clears a file deleted from it', async () => {
    const { client } = s;
    fs.writeFileSync(path.join(s.workspace, 'javascript/extra.js'), 'function extra() {\n  return 1;\n}\n');
    fs.rmSync(path.join(s.workspace, 'go/greeter.go'));
    await client.notify('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: s.uri('javascript/extra.js'), type: FileChangeType.Created },
        { uri: s.uri('go/greeter.go'), type: FileChangeType.Deleted },
      ],
    });
    expect(messages((await pushedCount(client, s.uri('javascript/extra.js'), 1)).diagnostics)).toEqual(['`extra` lacks telemetry']);
    expect((await pushedCount(client, s.uri('go/greeter.go'), 0)).diagnostics).toEqual([]);
  });

  it('gives a closed document the diagnostics of its file on disk back, in place of its buffer', async () => {
    const { client } = s;
    const document = await client.open(path.join(s.workspace, 'typescript/greeter.ts'), 'typescript');
    await client.change(document, document.text.replace('export function greet', '// telemetry: ignore\nexport function greet'));
    expect(await client.diagnostics(document)).toHaveLength(1);
    const open = pushes(client, document.uri).length;
    await client.close(document);
    const push = await pushedCount(client, document.uri, 2, open);
    expect(push.version).toBeUndefined();
    expect(client.unhandled).toEqual([]);
  });
});

describe('workspace diagnostics pushed to neovim-0.7.2, which cannot watch files', () => {
  const s = serve('neovim-0.7.2');

  it('asks for saves instead of registering a watcher', async () => {
    await pushedCount(s.client, s.uri('go/greeter.go'), 2);
    expect(s.client.initializeResult.capabilities.textDocumentSync).toMatchObject({ save: { includeText: false } });
    expect(watcherRegistration(s.client)).toBeUndefined();
  });

  it('reads a saved file again, so that the file closed after the save shows what was saved', async () => {
    const { client } = s;
    const document = await client.open(path.join(s.workspace, 'python/greeter.py'), 'python');
    expect(await client.diagnostics(document)).toHaveLength(4);
    // Coverage is answered once the read on open is done: only the save can see what follows.
    await client.request('telemetry/coverage', {});
    await client.change(document, document.text + extraPython);
    fs.writeFileSync(path.join(s.workspace, 'python/greeter.py'), document.text);
    await client.notify('textDocument/didSave', { textDocument: { uri: document.uri } });
    expect(await client.diagnostics(document)).toHaveLength(5);
    const open = pushes(client, document.uri).length;
    await client.close(document);
    expect((await pushedCount(client, document.uri, 5, open)).version).toBeUndefined();
    expect(client.unhandled).toEqual([]);
  });
});

describe('workspace diagnostics pulled by vscode-languageclient-11.0.0', () => {
  const s = serve('vscode-languageclient-11.0.0');

  it('answers workspace/diagnostic with every file that is not open, and never pushes', async () => {
    const { client } = s;
    const { items } = await workspacePull(client);
    expect(items.map((i) => i.uri).sort()).toEqual(languages.map((l) => s.uri(l.file)).sort());
    for (const { file, functions } of languages) {
      const report = items.find((i) => i.uri === s.uri(file))!;
      expect(report).toMatchObject({ kind: 'full', version: null, resultId: expect.any(String) });
      expect(messages((report as { items: Diagnostic[] }).items)).toEqual(functions.map((name) => `\`${name}\` lacks telemetry`));
    }
    const document = await client.open(path.join(s.workspace, 'python/greeter.py'), 'python');
    expect((await workspacePull(client)).items.map((i) => i.uri)).not.toContain(document.uri);
    await client.close(document);
    expect(client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics')).toEqual([]);
  });

  it('answers unchanged for the result ids the client holds, and a new report once a file changes on disk', async () => {
    const { client } = s;
    const held = (await workspacePull(client)).items.map((i) => ({ uri: i.uri, value: (i as { resultId: string }).resultId }));
    expect((await workspacePull(client, held)).items.map((i) => i.kind)).toEqual(held.map(() => 'unchanged'));

    const refreshes = () => client.requests.filter((r) => r.method === 'workspace/diagnostic/refresh').length;
    const before = refreshes();
    fs.appendFileSync(path.join(s.workspace, 'python/greeter.py'), extraPython);
    await client.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: s.uri('python/greeter.py'), type: FileChangeType.Changed }] });
    await client.waitFor(() => (refreshes() > before ? true : undefined));
    const { items } = await workspacePull(client, held);
    const changed = items.filter((i) => i.kind === 'full');
    expect(changed.map((i) => i.uri)).toEqual([s.uri('python/greeter.py')]);
    expect(messages((changed[0] as { items: Diagnostic[] }).items)).toHaveLength(5);
    expect(client.unhandled).toEqual([]);
  });
});

describe('workspace diagnostics pulled by neovim-0.11.0, which can neither watch files nor refresh', () => {
  const s = serve('neovim-0.11.0');

  it('serves the files on disk through workspace/diagnostic, without a watcher or a refresh request', async () => {
    const { client } = s;
    expect(client.initializeResult.capabilities.diagnosticProvider).toMatchObject({ workspaceDiagnostics: true });
    const { items } = await workspacePull(client);
    expect(items.filter((i) => i.kind === 'full')).toHaveLength(languages.length);
    expect(watcherRegistration(client)).toBeUndefined();
    expect(client.requests.filter((r) => r.method === 'workspace/diagnostic/refresh')).toEqual([]);
    expect(client.unhandled).toEqual([]);
  });
});
