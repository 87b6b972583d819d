import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic, WorkspaceDiagnosticReport } from 'vscode-languageserver';
import type { MissingTelemetryData } from '../../protocol/code-actions.js';
import type { CoverageResult } from '../../protocol/coverage.js';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

const FileChangeType = { Changed: 2 };

let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

async function start(settings: Record<string, unknown>, files: Record<string, string> = {}): Promise<LspClient> {
  workspace = makeWorkspace();
  for (const [rel, text] of Object.entries(files)) fs.writeFileSync(path.join(workspace, rel), text);
  client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, settings: { telemetryInjector: settings } });
  return client;
}

const coverage = (c: LspClient) => c.request<CoverageResult>('telemetry/coverage', {});
const goFile = () => path.join(workspace, 'go/greeter.go');

/** The files on disk's diagnostics, by workspace-relative path (answered once the server has settled). */
async function onDisk(c: LspClient): Promise<Map<string, Diagnostic[]>> {
  const report = await c.request<WorkspaceDiagnosticReport>('workspace/diagnostic', { previousResultIds: [] });
  const byPath = new Map<string, Diagnostic[]>();
  for (const item of report.items) {
    if (item.kind === 'full') byPath.set(path.relative(workspace, new URL(item.uri).pathname).split(path.sep).join('/'), item.items);
  }
  return byPath;
}

const ids = (diagnostics: Diagnostic[] | undefined) => (diagnostics ?? []).map((d) => (d.data as MissingTelemetryData).id);

describe('per-function facts in the workspace store', () => {
  it('puts the function id in the data of every diagnostic, for open documents and files on disk alike', async () => {
    const c = await start({});
    const python = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    expect(ids(await c.diagnostics(python))).toEqual([
      'python/greeter.py::greet::function_definition',
      'python/greeter.py::Counter.__init__::function_definition',
      'python/greeter.py::Counter.bump::function_definition',
      'python/greeter.py::fetch::function_definition',
    ]);
    expect(ids((await onDisk(c)).get('go/greeter.go'))).toEqual(['go/greeter.go::Greet::function_declaration', 'go/greeter.go::Counter.Bump::method_declaration']);
  });

  it('keeps a function id when lines are added above the function', async () => {
    const c = await start({});
    const python = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const before = ids(await c.diagnostics(python));
    await c.change(python, `# one\n# two\n\n${python.text}`);
    const after = await c.diagnostics(python);
    expect(ids(after)).toEqual(before);
    expect(after[0]!.range.start.line).toBeGreaterThan(2);
  });

  it('judges files on disk again from their stored facts when the required kinds change, without reading them', async () => {
    const c = await start({ require: [] });
    expect((await coverage(c)).total.missing).toBe(0);
    // Behind the server's back (no watcher event): were the file read again, it would have no functions.
    fs.writeFileSync(goFile(), 'package demo\n');
    c.settings = { telemetryInjector: { require: ['function'] } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const go = (await coverage(c)).files.find((f) => f.path === 'go/greeter.go');
    expect(go).toMatchObject({ functions: 2, missing: 2, coverage: 0 });
    const diagnostics = (await onDisk(c)).get('go/greeter.go')!;
    expect(diagnostics.map((d) => d.message)).toEqual(['`Greet` lacks telemetry', '`Counter.Bump` lacks telemetry']);
    expect(diagnostics[0]!.data).toEqual({ id: 'go/greeter.go::Greet::function_declaration', require: ['function'], lacks: ['function'] });
  });

  it('judges them again when a team file changes, and reads them again only when the files scanned change', async () => {
    const c = await start({}, { 'telemetry.toml': 'require = []\n' });
    expect((await coverage(c)).total.missing).toBe(0);
    fs.rmSync(goFile());
    fs.writeFileSync(path.join(workspace, 'telemetry.toml'), 'require = ["function"]\n');
    const teamFile = pathToFileURL(path.join(workspace, 'telemetry.toml')).href;
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: teamFile, type: FileChangeType.Changed }] });
    expect((await coverage(c)).files.find((f) => f.path === 'go/greeter.go')).toMatchObject({ functions: 2, missing: 2 });
    // The method above can tell a read from none: a setting that changes which files are scanned
    // scans again, and the deleted file is gone.
    c.settings = { telemetryInjector: { exclude: ['node_modules/**'] } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    expect((await coverage(c)).files.map((f) => f.path)).not.toContain('go/greeter.go');
  });
});
