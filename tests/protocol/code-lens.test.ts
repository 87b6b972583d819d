// Runtime figures in the editor, through the real server: code lenses (resolved lazily or titled
// eagerly), refresh as the event file grows, hover, the lens command, stale and vanished functions,
// and bad lines skipped and counted. The figures are worked out by hand from trace-events.ts.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CodeLens, Hover, MarkupContent } from 'vscode-languageserver';
import { LspClient, repoRoot, type OpenDocument } from './lsp-client.js';
import { APP_PY, appended, currentRun, event, previousRun } from './trace-events.js';

let client: LspClient | undefined;
let workspace: string | undefined;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  workspace = undefined;
});

const HOUR_MS = 3_600_000;

/** A workspace with app.py (last modified 6 hours ago, before both runs) and the two event files. */
function makeProject(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lens-'));
  const nowNs = Date.now() * 1e6;
  fs.writeFileSync(path.join(dir, 'telemetry.toml'), 'require = ["function"]\n');
  fs.writeFileSync(path.join(dir, 'app.py'), APP_PY);
  const sixHoursAgo = new Date(Date.now() - 6 * HOUR_MS);
  fs.utimesSync(path.join(dir, 'app.py'), sixHoursAgo, sixHoursAgo);
  fs.mkdirSync(path.join(dir, 'runs'));
  fs.writeFileSync(path.join(dir, 'runs/telemetry-old.jsonl'), previousRun(nowNs));
  // The run under test is the .env's TELEMETRY_FILE, which the default glob would not find.
  fs.writeFileSync(path.join(dir, 'current-run.jsonl'), currentRun(nowNs));
  fs.writeFileSync(path.join(dir, '.env'), 'DEBUG=true\nTELEMETRY_FILE=current-run.jsonl\n');
  return dir;
}

/** The lenses with their titles, resolving them as the editor would. */
async function lenses(c: LspClient, doc: OpenDocument): Promise<{ line: number; title: string; command: string; args: unknown[] }[]> {
  const listed = (await c.request<CodeLens[] | null>('textDocument/codeLens', { textDocument: { uri: doc.uri } })) ?? [];
  const resolved = await Promise.all(listed.map((lens) => (lens.command ? lens : c.request<CodeLens>('codeLens/resolve', lens))));
  return resolved.map((lens) => ({ line: lens.range.start.line, title: lens.command!.title, command: lens.command!.command, args: lens.command!.arguments ?? [] }));
}

const titles = async (c: LspClient, doc: OpenDocument) => (await lenses(c, doc)).map((l) => `${l.line}: ${l.title}`);

/** Waits until the server has read the event files (its log says so for each). */
const readBoth = (c: LspClient) =>
  c.waitFor(() => (c.logs().some((l) => l.includes('current-run.jsonl: 14 new events')) && c.logs().some((l) => l.includes('telemetry-old.jsonl: 2 new events')) ? true : undefined));

describe.each([
  { editor: 'vscode-languageclient-11.0.0', mode: 'a pull client that resolves lenses and takes refreshes' },
  { editor: 'neovim-0.7.2', mode: 'a push client that declares neither (titled lenses, asked again on its own)' },
])('code lenses for $mode', ({ editor }) => {
  it('show the hand-computed figures of the latest run, its change since the previous one and how long ago it ended', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor, workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    // Four lenses: `gone`, which app.py no longer has, gets none.
    expect(await titles(c, doc)).toEqual([
      '1: 1,204 calls · p50 2.0 ms · p95 10.0 ms · 1 error · p95 ↑ 100 % · 3 h ago',
      '11: 1 call · p50 0.8 ms · p95 0.8 ms · 3 h ago',
      '19: not reached · 3 h ago',
      '28: 1 call · p50 50 µs · p95 50 µs · 3 h ago',
    ]);
    // Lines the reader skipped are counted, never fatal: a non-JSON line, an unknown type, an event of schema 2.
    expect(c.logs().join('\n')).toContain('current-run.jsonl: 14 new events, 14 in this run; skipped 1 malformed, 1 of unknown types, 1 of another schema version');
  });

  it('follow the event file as it grows, reading whole lines only, and refresh where the client takes it', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor, workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    await titles(c, doc);
    const refreshes = () => c.requests.filter((r) => r.method === 'workspace/codeLens/refresh').length;
    const before = refreshes();
    const [first, rest] = appended(Date.now() * 1e6);
    const file = path.join(workspace, 'current-run.jsonl');
    fs.appendFileSync(file, first);
    await c.waitFor(() => (c.logs().some((l) => l.includes('current-run.jsonl: 1 new events, 15 in this run')) ? true : undefined));
    fs.appendFileSync(file, rest);
    await c.waitFor(() => (c.logs().some((l) => l.includes('current-run.jsonl: 1 new events, 16 in this run')) ? true : undefined));
    if (c.initializeResult.capabilities.codeLensProvider?.resolveProvider) {
      await c.waitFor(() => (refreshes() > before ? true : undefined));
    }
    const now = await titles(c, doc);
    // render: 0.8, 0.6 and 0.4 ms; the run ended just now, so no lens says how long ago.
    expect(now[1]).toBe('11: 3 calls · p50 0.6 ms · p95 0.8 ms');
    expect(now[0]).toBe('1: 1,204 calls · p50 2.0 ms · p95 10.0 ms · 1 error · p95 ↑ 100 %');
  });
});

describe('runtime figures in the editor', () => {
  it('hover on a function name gives the top exceptions, the slowest calls with their arguments and the loop iterations', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    const hover = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line: 1, character: 6 } });
    const text = (hover!.contents as MarkupContent).value;
    expect(text).toContain('**Exceptions raised**\n\n- ValueError ×1');
    expect(text).toContain('**Exceptions handled**\n\n- KeyError ×1');
    expect(text).toContain('**Slowest calls**\n\n- 10.0 ms: parse\\(text="dddd"\\) raised ValueError\n- 3.0 ms: parse\\(text="ccc"\\)\n- 2.0 ms: parse\\(text="bb"\\)\n- 1.0 ms: parse\\(text="a"\\)');
    expect(text).toContain('- line 5 \\(for\\): 2 runs, 4.0 iterations on average, at most 5');
    expect(text).toContain('- p50 2.0 ms · p95 10.0 ms · p99 10.0 ms · mean 4.0 ms');
    const body = await c.request<Hover | null>('textDocument/hover', { textDocument: { uri: doc.uri }, position: { line: 5, character: 12 } });
    expect(body).toBeNull();
  });

  it('runs the lens command with the function id, answering the details and where the function is', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    const lens = (await lenses(c, doc))[0]!;
    expect(lens.command).toBe('telemetryInjector.showFunctionTrace');
    expect(lens.args).toEqual(['app.py::parse::function_definition', doc.uri]);
    const details = await c.request<{ id: string; message: string; locations: { uri: string; range: { start: { line: number } } }[] }>(
      'workspace/executeCommand', { command: lens.command, arguments: lens.args },
    );
    expect(details.id).toBe('app.py::parse::function_definition');
    expect(details.message).toContain('Exceptions raised: ValueError ×1');
    expect(details.locations).toEqual([{ uri: doc.uri, range: expect.objectContaining({ start: { line: 1, character: 0 } }) }]);
    expect(c.messages(3).at(-1)).toBe(`Telemetry: ${details.message}`);
  });

  it('marks figures stale once the function text changes, and only that function', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    await titles(c, doc);
    await c.change(doc, doc.text.replace('return _tm.ret(__tel, (key))', 'return _tm.ret(__tel, (key * 2))'));
    expect(await titles(c, doc)).toEqual([
      '1: 1,204 calls · p50 2.0 ms · p95 10.0 ms · 1 error · p95 ↑ 100 % · 3 h ago',
      '11: 1 call · p50 0.8 ms · p95 0.8 ms · 3 h ago',
      '19: not reached · 3 h ago',
      '28: 1 call · p50 50 µs · p95 50 µs · 3 h ago · stale',
    ]);
    // Saved, then run again into the same file: the new call ran the new text, which is no longer stale.
    fs.writeFileSync(path.join(workspace, 'app.py'), doc.text);
    const later = Date.now() * 1e6 + 1e9;
    fs.appendFileSync(path.join(workspace, 'current-run.jsonl'), `${event('function_exit', 'Cache.get', 16, later, 'c2', { duration_ns: 70_000 })}\n`);
    await c.waitFor(() => (c.logs().some((l) => l.includes('current-run.jsonl: 1 new events, 15 in this run')) ? true : undefined));
    expect((await titles(c, doc)).at(-1)).toBe('28: 2 calls · p50 50 µs · p95 70 µs');
  });

  it('keeps what a truncated event file held as its previous run, and compares the new run with it', async () => {
    workspace = makeProject();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const c = client;
    await readBoth(c);
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    await titles(c, doc);
    // A new run overwrites the file: parse once, 20 ms (was p95 10 ms in the run before).
    fs.writeFileSync(path.join(workspace, 'current-run.jsonl'), `${event('function_exit', 'parse', 1, Date.now() * 1e6, 'n1', { duration_ns: 20_000_000 })}\n`);
    await c.waitFor(() => (c.logs().some((l) => l.includes('current-run.jsonl: 1 new events, 1 in this run')) ? true : undefined));
    expect(await titles(c, doc)).toEqual(['1: 1 call · p50 20.0 ms · p95 20.0 ms · p95 ↑ 100 %', '11: not reached', '19: not reached', '28: not reached']);
  });

  it('finds an event file a real Python run creates after the server started, and shows its calls', async () => {
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lens-run-'));
    fs.writeFileSync(path.join(workspace, 'app.py'), `${APP_PY}\n\nif __name__ == "__main__":\n    for i in range(50):\n        parse("x" * i)\n`);
    fs.copyFileSync(path.join(repoRoot, 'server/languages/python/runtime/telemetry_runtime.py'), path.join(workspace, 'telemetry_runtime.py'));
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const c = client;
    await c.waitFor(() => (c.logs().some((l) => l.includes('trace: watching 0 event files')) ? true : undefined));
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    expect(await lenses(c, doc)).toEqual([]);
    const env = { PATH: process.env.PATH ?? '', DEBUG: 'true', TELEMETRY_FILE: path.join(workspace, 'telemetry.jsonl') };
    execFileSync('python3', ['app.py'], { cwd: workspace, env });
    // 50 entries and 50 exits, read as they were written (perhaps in several reads), then a refresh.
    await c.waitFor(() => (c.logs().some((l) => l.includes('telemetry.jsonl') && l.includes(', 100 in this run')) ? true : undefined));
    await c.waitFor(() => (c.requests.some((r) => r.method === 'workspace/codeLens/refresh') ? true : undefined));
    const [parse, ...others] = await titles(c, doc);
    expect(parse).toMatch(/^1: 50 calls · p50 [\d.]+ [nµm]?s · p95 [\d.]+ [nµm]?s$/);
    expect(others).toEqual(['11: not reached', '19: not reached', '28: not reached']);
  });

  it('reads no event file the setting does not name, and lists no lens then', async () => {
    workspace = makeProject();
    fs.rmSync(path.join(workspace, '.env'));
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, settings: { telemetryInjector: { traceFiles: ['nothing/*.jsonl'] } } });
    const c = client;
    await c.waitFor(() => (c.logs().some((l) => l.includes('trace: watching 0 event files')) ? true : undefined));
    const doc = await c.open(path.join(workspace, 'app.py'), 'python');
    expect(await lenses(c, doc)).toEqual([]);
    expect(c.logs().some((l) => l.includes('new events'))).toBe(false);
  });
});
