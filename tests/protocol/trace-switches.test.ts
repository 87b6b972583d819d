// "Trace `name` for 10 minutes" in the editor, against the real server with a pulling client
// (VS Code) and a pushing one (Neovim 0.7): the code action on an instrumented function runs a
// command that writes the runtimes' control file, the function then carries a `traced` diagnostic
// with the minutes left, and the diagnostics follow the file when something else (the CLI) changes
// it and when the entry expires; "Stop tracing `name`" takes the entry out again.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { TraceKind, TracedCode } from '../../protocol/code-actions.js';
import { Commands } from '../../protocol/commands.js';
import { cli } from '../cli/helpers.js';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const cursorOn = (document: OpenDocument, needle: string) => {
  const before = document.text.slice(0, document.text.indexOf(needle)).split('\n');
  const position = { line: before.length - 1, character: before.at(-1)!.length };
  return { start: position, end: position };
};

describe.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])('tracing a function from %s', (editor) => {
  let client: LspClient;
  let workspace: string;
  let document: OpenDocument;
  let control: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    control = path.join(workspace, '.telemetry', 'control.json');
    client = await LspClient.start({ editor, workspace });
    document = await client.open(path.join(workspace, 'python/greeter.py'), 'python');
    const add = (await client.codeActions(document, cursorOn(document, 'greet('), ['quickfix'])).find((a) => a.title === 'Add telemetry to `greet`')!;
    await client.apply((await client.editOf(add))!);
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  const traceActions = () => client.codeActions(document, cursorOn(document, 'greet('), [TraceKind]);
  const run = (action: CodeAction) => client.request('workspace/executeCommand', action.command);
  const traced = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.code === TracedCode);
  const refreshes = () => client.requests.filter((r) => r.method === 'workspace/diagnostic/refresh').length;
  /** The traced diagnostics once the server has told the client they changed (a refresh, or a new push). */
  const changedTraced = async (before: { refreshes: number; pushes: number }, until: (d: Diagnostic[]) => boolean) => {
    if (client.pulls) {
      // Each refresh is a moment to pull again; the bound is waitFor's.
      let last: Diagnostic[] = [];
      await client.waitFor(() => (refreshes() > before.refreshes ? true : undefined));
      for (let seen = refreshes(); !until((last = traced(await client.diagnostics(document)))); seen = refreshes()) {
        await client.waitFor(() => (refreshes() > seen ? true : undefined));
      }
      return last;
    }
    return client.waitFor(() => {
      const pushes = pushesOf();
      const diagnostics = traced(pushes.at(-1)?.diagnostics ?? []);
      return pushes.length > before.pushes && until(diagnostics) ? diagnostics : undefined;
    });
  };
  const pushesOf = () =>
    client.notifications.filter((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === document.uri).map((n) => n.params as { diagnostics: Diagnostic[] });
  const mark = () => ({ refreshes: refreshes(), pushes: pushesOf().length });

  it('offers "Trace `greet` for 10 minutes" on an instrumented function, which writes the control file and shows the time left', async () => {
    const [trace] = await traceActions();
    expect(trace).toMatchObject({
      title: 'Trace `greet` for 10 minutes',
      kind: 'source.trace.telemetry',
      command: { command: Commands.traceFunction, arguments: [document.uri, 'python/greeter.py:greet'] },
    });
    expect(client.initializeResult.capabilities.executeCommandProvider?.commands).toContain(Commands.traceFunction);
    const before = mark();
    const since = Date.now();
    await run(trace!);
    const entry = JSON.parse(fs.readFileSync(control, 'utf8'))['python/greeter.py:greet'];
    expect(entry.enabled).toBe(true);
    expect(Date.parse(entry.expires_at) - since).toBeGreaterThan(9 * 60_000);
    const shown = await changedTraced(before, (d) => d.length === 1);
    expect(shown).toEqual([
      expect.objectContaining({ severity: 3, source: 'telemetry', code: 'traced', message: '`greet` is traced for 10 more minutes' }),
    ]);
    expect(shown[0]!.range.start).toEqual(cursorOn(document, 'greet(').start);
    expect((await client.diagnostics(document)).filter((d) => d.code === 'missing-telemetry').map((d) => d.message)).not.toContain(
      expect.stringMatching(/^`greet`/),
    );
  });

  it('offers "Stop tracing `greet`" while it is traced, which takes the entry out and the diagnostic away', async () => {
    const [stop] = await traceActions();
    expect(stop).toMatchObject({ title: 'Stop tracing `greet`', command: { command: Commands.stopTracing, arguments: [document.uri, 'python/greeter.py:greet'] } });
    const before = mark();
    await run(stop!);
    expect(JSON.parse(fs.readFileSync(control, 'utf8'))).toEqual({});
    expect(await changedTraced(before, (d) => d.length === 0)).toEqual([]);
    expect((await traceActions()).map((a) => a.title)).toEqual(['Trace `greet` for 10 minutes']);
  });

  it('follows the control file when the CLI switches a glob on, and turns the diagnostic off when the entry expires', async () => {
    const before = mark();
    // 10 s: the server must see the entry before it expires, and a loaded machine can take seconds
    // from the CLI's write to the diagnostic (a watcher event, a refresh, a pull).
    const on = await cli(['trace', 'gre?t', '--for', '10s', '--control', control], { cwd: workspace });
    expect(on.code).toBe(0);
    const shown = await changedTraced(before, (d) => d.length === 1);
    expect(shown[0]).toMatchObject({ message: '`greet` is traced for 1 more minute', data: { key: 'gre?t' } });
    // No one touches the file again: the server's own timer notices the expiry.
    const expiring = mark();
    expect(await changedTraced(expiring, (d) => d.length === 0)).toEqual([]);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(JSON.parse(fs.readFileSync(control, 'utf8'))['gre?t'].expires_at));
  });

  it('keeps the last good switches when the control file turns malformed, and logs it once', async () => {
    const before = mark();
    await cli(['trace', 'greet', '--for', '10m', '--control', control], { cwd: workspace });
    await changedTraced(before, (d) => d.length === 1);
    const broken = mark();
    fs.writeFileSync(control, '{"greet": ');
    await client.waitFor(() => (client.logs().some((l) => l.includes('ignoring the malformed control file')) ? true : undefined));
    expect(traced(await changedTraced(broken, () => true))).toHaveLength(1);
    expect(client.logs().filter((l) => l.includes('ignoring the malformed control file'))).toHaveLength(1);
  });
});
