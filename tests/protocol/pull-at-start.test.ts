// What VS Code does when its client (re)starts, replayed on a fresh server: didOpen for every open
// document, the didChangeConfiguration it sends at start, and a pull per document at once. Each
// pull must wait for that document's first analysis and answer its diagnostics, never an empty
// report. (A VS Code end-to-end trace once looked like empty answers after a restart; its JSON-RPC
// trace showed only cancelled pulls and the old client's diagnostics being cleared.)
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { languages, makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

it('answers pulls sent right after didOpen on a fresh server with each document\'s diagnostics', async () => {
  workspace = makeWorkspace();
  client = await LspClient.start({ editor: 'vscode-languageclient-9.0.1', workspace, settings: { telemetryInjector: { severity: 'error' } } });
  const c = client;
  const documents = [];
  for (const fixture of languages) documents.push(await c.open(path.join(workspace, fixture.file), fixture.languageId));
  await c.notify('workspace/didChangeConfiguration', { settings: null });
  const pulled = await Promise.all(
    documents.map((document) => c.request<{ items: { message: string; severity: number }[] }>('textDocument/diagnostic', { textDocument: { uri: document.uri } })),
  );
  expect(pulled.map((report) => report.items.length)).toEqual(languages.map((fixture) => fixture.functions.length));
  expect(pulled.flatMap((report) => report.items.map((item) => item.severity))).not.toContain(2);
});
