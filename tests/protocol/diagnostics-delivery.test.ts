import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PublishDiagnosticsParams } from 'vscode-languageserver';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

describe.each(['neovim-0.7.2', 'helix-25.07.1'])('pushed diagnostics for %s', (editor) => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor, workspace });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  const pushesFor = (uri: string) =>
    client.notifications
      .filter((n) => n.method === 'textDocument/publishDiagnostics')
      .map((n) => n.params as PublishDiagnosticsParams)
      .filter((p) => p.uri === uri);

  it('publishes once for a burst of changes, for the last version only', async () => {
    const document = await client.open(path.join(workspace, 'python/greeter.py'), 'python');
    await client.diagnostics(document);
    const before = pushesFor(document.uri).length;
    for (let i = 0; i < 5; i++) await client.change(document, `${document.text}# edit ${i}\n`);
    expect(await client.diagnostics(document)).toHaveLength(4);
    const last = document.version;
    // One more change, debounced like the burst: once its push is in, none of the burst's can follow.
    await client.change(document, `${document.text}# fence\n`);
    await client.diagnostics(document);
    expect(pushesFor(document.uri).slice(before).map((p) => p.version)).toEqual([last, document.version]);
  });

  it('publishes what the last change leaves even when an earlier change had its diagnostics computed while the debounce ran', async () => {
    const document = await client.open(path.join(workspace, 'python/greeter.py'), 'python');
    const original = document.text;
    const count = (await client.diagnostics(document)).length;
    await client.change(document, `${original}\ndef extra(a):\n    return a\n`);
    // Two round trips: the server has taken its next turn, and with it computed this version's diagnostics.
    await client.fence();
    await client.fence();
    await client.change(document, original);
    expect(await client.diagnostics(document)).toHaveLength(count);
    expect(pushesFor(document.uri).at(-1)?.version).toBe(document.version);
  });

  // A closed file that is on disk gets its disk diagnostics back (see workspace-diagnostics.test.ts).
  it('clears the diagnostics of a document when it closes and no file on disk takes its place', async () => {
    const text = fs.readFileSync(path.join(workspace, 'go/greeter.go'), 'utf8');
    const document = await client.open(path.join(workspace, 'go/unsaved.go'), 'go', text);
    expect(await client.diagnostics(document)).toHaveLength(2);
    await client.close(document);
    await client.waitFor(() => {
      const last = pushesFor(document.uri).at(-1);
      return last && last.diagnostics.length === 0 ? last : undefined;
    });
    await client.pushFence();
    expect(pushesFor(document.uri).at(-1)!.diagnostics).toEqual([]);
  });
});

describe.each([
  ['vscode-languageclient-11.0.0', true],
  ['zed-main-38df25d5', true],
  ['neovim-0.11.0', false],
])('pulled diagnostics for %s', (editor, refreshes) => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor, workspace });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  it(`advertises a diagnostic provider with workspace diagnostics and ${refreshes ? 'asks' : 'never asks'} for a refresh when settings change`, async () => {
    expect(client.initializeResult.capabilities.diagnosticProvider).toEqual({
      interFileDependencies: false,
      workspaceDiagnostics: true,
    });
    const document = await client.open(path.join(workspace, 'python/greeter.py'), 'python');
    expect(await client.diagnostics(document)).toHaveLength(4);
    await client.notify('workspace/didChangeConfiguration', { settings: null });
    await client.fence();
    const refreshed = client.requests.some((r) => r.method === 'workspace/diagnostic/refresh');
    expect(refreshed).toBe(refreshes);
    expect(client.unhandled).toEqual([]);
  });

  it('answers a pull naming the result the client holds with unchanged, and in full once an edit moves a diagnostic', async () => {
    const text = fs.readFileSync(path.join(workspace, 'python/greeter.py'), 'utf8');
    const document = await client.open(path.join(workspace, 'python/held.py'), 'python', text);
    type Report = { kind: string; resultId?: string; items?: { range: { start: { line: number } } }[] };
    const pull = (previousResultId?: string) =>
      client.request<Report>('textDocument/diagnostic', { textDocument: { uri: document.uri }, ...(previousResultId && { previousResultId }) });
    const first = await pull();
    expect(first).toMatchObject({ kind: 'full', resultId: expect.any(String) });
    expect(first.items).toHaveLength(4);
    await client.change(document, `${document.text}# a comment at the end moves nothing\n`);
    expect(await pull(first.resultId)).toEqual({ kind: 'unchanged', resultId: first.resultId });
    await client.change(document, `\n${document.text}`);
    const moved = await pull(first.resultId);
    expect(moved.kind).toBe('full');
    expect(moved.resultId).not.toBe(first.resultId);
    expect(moved.items!.map((d) => d.range.start.line)).toEqual(first.items!.map((d) => d.range.start.line + 1));
    // A result id the server never gave (or an older one) always gets the items in full.
    expect((await pull('stale')).kind).toBe('full');
  });
});
