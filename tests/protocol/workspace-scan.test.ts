import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { CancellationTokenSource } from 'vscode-languageserver';
import type { CoverageResult } from '../../protocol/coverage.js';
import type { ScanOutcome } from '../../protocol/commands.js';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

const RequestCancelled = -32800;
/** Unclosed brackets keep tree-sitter's error recovery busy for seconds: a scan that cannot end soon. */
const pathological = `def f():\n    x = ${'['.repeat(50_000)}\n`;
/**
 * Tests that wait for a scan through the pathological file: seconds on a quiet machine, but 11 to
 * 25 s were measured with the load average at 16 to 19, too close to the 60 s default.
 */
const slowScan = { timeout: 180_000 };

let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

/** A fixture workspace plus `files` (relative path -> text), served to `editor`. */
async function start(editor: string, files: Record<string, string> = {}, settings?: Record<string, unknown>): Promise<LspClient> {
  workspace = makeWorkspace();
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(workspace, file)), { recursive: true });
    fs.writeFileSync(path.join(workspace, file), text);
  }
  client = await LspClient.start({ editor, workspace, settings });
  return client;
}

const coverage = (c: LspClient, params: { uris?: string[] } = {}, token?: CancellationTokenSource) =>
  c.request<CoverageResult>('telemetry/coverage', params, token?.token);

const scanWorkspace = (c: LspClient) =>
  c.request<ScanOutcome>('workspace/executeCommand', { command: 'telemetryInjector.scanWorkspace', arguments: [] });

const progressEnded = (c: LspClient) =>
  c.notifications.some((n) => n.method === '$/progress' && (n.params as { value: { kind: string } }).value.kind === 'end');

describe('the workspace scan', () => {
  it('honours .gitignore files (nested ones too), the exclude globs, the size limit and the runtime module', async () => {
    const fn = 'def f():\n    pass\n';
    const c = await start(
      'vscode-languageclient-11.0.0',
      {
        '.gitignore': 'build/\n*.gen.py\n',
        'build/out.py': fn,
        'data.gen.py': fn,
        'lib/.gitignore': 'local.py\n',
        'lib/local.py': fn,
        'lib/kept.py': fn,
        'skipme/x.py': fn,
        'big.py': fn.repeat(200),
        'node_modules/pkg/index.js': 'function dep() {}\n',
        'telemetry_runtime.py': fn,
      },
      { telemetryInjector: { exclude: ['skipme/**'], maxFileSize: 2000 } },
    );
    const { files } = await coverage(c);
    expect(files.map((f) => f.path)).toEqual(['go/greeter.go', 'javascript/greeter.js', 'lib/kept.py', 'python/greeter.py', 'typescript/greeter.ts']);
  });

  it('answers telemetry/coverage for the workspace and per file, open documents as they are in the editor', async () => {
    const c = await start('vscode-languageclient-11.0.0');
    const before = await coverage(c);
    expect(before.total).toEqual({ functions: 12, instrumented: 0, ignored: 0, missing: 12, excluded: 0, broken: 0, skipped: 0, notRequired: 0, coverage: 0 });
    expect(before.files.find((f) => f.path === 'python/greeter.py')).toMatchObject({ language: 'python', version: null, functions: 4, missing: 4 });

    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    await c.change(document, document.text.replace('def greet', '# telemetry: ignore\ndef greet'));
    const after = await coverage(c, { uris: [document.uri] });
    expect(after.files).toEqual([
      { uri: document.uri, path: 'python/greeter.py', language: 'python', version: 2, functions: 4, instrumented: 0, ignored: 1, missing: 3, excluded: 0, broken: 0, skipped: 0, notRequired: 0, coverage: 25 },
    ]);
    expect(after.total.coverage).toBe(25);
    expect((await coverage(c)).total).toMatchObject({ functions: 12, ignored: 1, missing: 11, coverage: 8.33 });
  });

  it('counts only the kinds in requireKinds, as the diagnostics do', async () => {
    const c = await start('vscode-languageclient-11.0.0', {}, { telemetryInjector: { requireKinds: ['method_definition'] } });
    const js = (await coverage(c)).files.find((f) => f.path === 'javascript/greeter.js')!;
    expect(js).toMatchObject({ functions: 4, missing: 2, excluded: 2, notRequired: 2 });
  });

  it('stops an older scan when telemetryInjector.scanWorkspace starts a newer one: only the newer one completes', slowScan, async () => {
    const c = await start('helix-25.07.1', { 'slow.py': pathological });
    const [older, newer] = await Promise.all([scanWorkspace(c), scanWorkspace(c)]);
    expect(older).toMatchObject({ cancelled: true });
    expect(newer).toEqual({ files: 5, cancelled: false });
    expect(c.unhandled).toEqual([]);
  });

  it('answers coverage and workspace/diagnostic requests cancelled during a scan with RequestCancelled', slowScan, async () => {
    const c = await start('vscode-languageclient-11.0.0', { 'slow.py': pathological });
    const cancelCoverage = new CancellationTokenSource();
    const cancelPull = new CancellationTokenSource();
    const pending = [
      coverage(c, {}, cancelCoverage),
      c.request('workspace/diagnostic', { previousResultIds: [] }, cancelPull.token),
    ];
    setTimeout(() => (cancelCoverage.cancel(), cancelPull.cancel()), 100);
    for (const request of pending) await expect(request).rejects.toMatchObject({ code: RequestCancelled });
    expect(progressEnded(c)).toBe(false);
    // The scan itself goes on, and an uncancelled request is answered once it ends.
    expect((await coverage(c)).files.map((f) => f.path)).toContain('python/greeter.py');
  });

  it('keeps answering for an open document while a pathological file is parsed in the pool', slowScan, async () => {
    const c = await start('helix-25.07.1', { 'slow.py': pathological });
    const started = performance.now();
    const document = await c.open(path.join(workspace, 'go/greeter.go'), 'go');
    expect(await c.diagnostics(document)).toHaveLength(2);
    const answered = performance.now() - started;
    expect(progressEnded(c)).toBe(false);
    await c.waitFor(() => (progressEnded(c) ? true : undefined), 150_000);
    // Relative, not a fixed bound (2 s was): load stretches both, but a document waiting on the
    // parse (on the main thread, or queued behind it) would be answered about when the scan ends.
    expect(answered).toBeLessThan((performance.now() - started) / 2);
    const slow = c.lastPush(pathToFileURL(path.join(workspace, 'slow.py')).href);
    expect(slow?.diagnostics ?? []).toEqual([]);
  });
});
