// Test-only companion of the VS Code extension (never shipped): runs the conformance scenario
// (tests/editors/conformance/README.md) through VS Code's own API in code-server, and writes the
// report where vscode.test.ts said (CONFORMANCE_REPORT). Waits only on VS Code's signals
// (onDidChangeDiagnostics, commands resolving, a process leaving /proc, the log growing), never on sleeps.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const extensionId = 'telemetry-injector.telemetry-injector-vscode';
const WAIT_MS = 30_000;

/** Resolves when `predicate` holds, checked on each event of `events` (and once now). */
function until(what, events, predicate) {
  return new Promise((resolve, reject) => {
    const subscriptions = [];
    const done = (error) => {
      clearTimeout(timer);
      for (const s of subscriptions) s.dispose();
      error ? reject(error) : resolve();
    };
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), WAIT_MS);
    const check = () => {
      try {
        if (predicate()) done();
      } catch (error) {
        done(error);
      }
    };
    for (const event of events) subscriptions.push(event(check));
    check();
  });
}

/** A timer-driven check for what has no VS Code event: a process leaving /proc, a log file growing. */
function poll(what, predicate) {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (predicate()) return resolve();
      if (Date.now() - started > WAIT_MS) return reject(new Error(`timed out waiting for ${what}`));
      setTimeout(tick, 25);
    };
    tick();
  });
}

// How many diagnostics results each document got: an edit or a setting is judged by the next one.
const generation = new Map();
// A trace of the steps and of python/app.py's diagnostics, left beside the report for a person
// reading a failure (milliseconds, diagnostics as "severity:message" with VS Code's severities).
const trace = [];
const mark = (what) => trace.push(`${Date.now() % 100000} ${what}`);
vscode.languages.onDidChangeDiagnostics((event) => {
  for (const uri of event.uris) {
    generation.set(uri.toString(), (generation.get(uri.toString()) ?? 0) + 1);
    if (uri.path.endsWith('/python/app.py')) mark(`diag gen=${gen(uri)} ${JSON.stringify(ours(uri).map((d) => `${d.severity}:${d.message}`))}`);
  }
});
vscode.workspace.onWillSaveTextDocument((event) => {
  if (event.document.uri.path.endsWith('/python/app.py')) mark(`will save (reason ${event.reason}), version ${event.document.version}`);
});
vscode.workspace.onDidSaveTextDocument((document) => {
  if (document.uri.path.endsWith('/python/app.py')) mark(`did save, version ${document.version}`);
});
const gen = (uri) => generation.get(uri.toString()) ?? 0;
const settled = (uri, since, what, also = () => true) =>
  until(what, [vscode.languages.onDidChangeDiagnostics], () => gen(uri) > since && also());
/** What a step is judged by: its diagnostics' severities and messages. */
const snapshot = (uri) => JSON.stringify(ours(uri).map((d) => [d.severity, d.message]));
/**
 * Waits for the step's own result: every step of the scenario changes the diagnostics, and the
 * client may first deliver results pulled for the text or settings before the step (a refresh
 * after the runtime module was created, say), so a result equal to the one before does not count.
 */
const changed = (uri, before, what) => until(what, [vscode.languages.onDidChangeDiagnostics], () => snapshot(uri) !== before);

const ours = (uri) =>
  vscode.languages
    .getDiagnostics(uri)
    .filter((d) => d.source === 'telemetry')
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
const messages = (uri) => ours(uri).map((d) => d.message);
// VS Code numbers severities from 0 (Error); LSP from 1.
const severities = (uri) => ours(uri).map((d) => d.severity + 1);
const lineOf = (document, prefix) => {
  for (let i = 0; i < document.lineCount; i++) if (document.lineAt(i).text.startsWith(prefix)) return i;
  throw new Error(`no line starting with ${prefix}`);
};
const at = (line) => new vscode.Range(line, 4, line, 4);

async function actionsAt(uri, range, kind) {
  // The last argument resolves the actions' edits (codeAction/resolve), as the light bulb does.
  return (await vscode.commands.executeCommand('vscode.executeCodeActionProvider', uri, range, kind, 100)) ?? [];
}
async function apply(action) {
  if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) throw new Error(`${action.title}: edit not applied`);
  if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
}
async function applyTitled(document, range, title, kind) {
  mark(`apply ${title}`);
  const before = snapshot(document.uri);
  const action = (await actionsAt(document.uri, range, kind)).find((a) => a.title === title);
  if (!action) throw new Error(`no action "${title}"`);
  await apply(action);
  await changed(document.uri, before, `diagnostics after "${title}"`);
}

/** The log of the extension's output channel (a LogOutputChannel is written to a file). */
function outputLog(context) {
  const logs = path.dirname(context.logUri.fsPath);
  const found = [];
  const walk = (dir) => {
    for (const entry of fs.existsSync(dir) ? fs.readdirSync(dir, { withFileTypes: true }) : []) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('Telemetry Injector.log')) found.push(full);
    }
  };
  walk(path.dirname(logs));
  return found.map((file) => fs.readFileSync(file, 'utf8')).join('\n');
}

/** The servers this extension host forked (the bundled server's processes). */
function serverPids() {
  const pids = [];
  for (const task of fs.readdirSync(`/proc/${process.pid}/task`)) {
    const children = fs.readFileSync(`/proc/${process.pid}/task/${task}/children`, 'utf8').match(/\d+/g) ?? [];
    for (const pid of children) {
      try {
        if (fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path.join('dist', 'server', 'main.js'))) pids.push(Number(pid));
      } catch {
        // gone already
      }
    }
  }
  return pids;
}

async function configure(values) {
  mark(`configure ${JSON.stringify(values, (_, v) => (v === undefined ? null : v))}`);
  const config = vscode.workspace.getConfiguration('telemetryInjector');
  for (const [key, value] of Object.entries(values)) await config.update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** Restarts the server; `ready` tells the new server's first result from the old one's clearing. */
async function restart(uri, ready) {
  mark('restart');
  await vscode.commands.executeCommand('telemetryInjector.restartServer');
  // The command resolves once the new server is initialized.
  await settled(uri, gen(uri), 'diagnostics after the restart', ready);
}

async function scenario(context) {
  const workspace = env('CONFORMANCE_WORKSPACE');
  const extension = vscode.extensions.getExtension(extensionId);
  if (!extension) throw new Error(`${extensionId} is not installed`);
  await extension.activate();
  // Saves are the scenario's own (vscode.test.ts turns the web build's auto save off).
  if (vscode.workspace.getConfiguration('files').get('autoSave') !== 'off') throw new Error('files.autoSave is not off');
  const report = { client: `code-server ${vscode.version}` };
  // Beyond the scenario (vscode.test.ts checks these): the palette commands, bad input and the
  // workspace's own server.
  const extra = {};

  const files = ['go/app.go', 'javascript/app.js', 'python/app.py', 'typescript/app.ts'];
  const documents = {};
  report.diagnostics = {};
  for (const file of files) {
    const document = await vscode.workspace.openTextDocument(path.join(workspace, file));
    documents[file] = document;
    // Each file stays in front until its diagnostics come: the client pulls for visible documents.
    await vscode.window.showTextDocument(document, { preview: false });
    await until(`the diagnostics of ${file}`, [vscode.languages.onDidChangeDiagnostics], () => ours(document.uri).length > 0);
    report.diagnostics[file] = ours(document.uri).map((d) => ({
      range: {
        start: { line: d.range.start.line, character: d.range.start.character },
        end: { line: d.range.end.line, character: d.range.end.character },
      },
      severity: d.severity + 1,
      code: typeof d.code === 'object' ? d.code.value : d.code,
      source: d.source,
      message: d.message,
    }));
  }

  const log = outputLog(context);
  const contributed = new Set(extension.packageJSON.contributes.commands.map((c) => c.command));
  report.started = {
    diagnosticsMode: /pull diagnostics/.test(log) ? 'pull' : /push diagnostics/.test(log) ? 'push' : `unknown (log: ${log.slice(0, 400)})`,
    executeCommands: (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('telemetryInjector.') && !contributed.has(c)).sort(),
  };

  const app = documents['python/app.py'];
  const uri = app.uri;
  await vscode.window.showTextDocument(app, { preview: false });
  const original = app.getText();
  report.actions = (await actionsAt(uri, at(lineOf(app, 'def greet')))).map((a) => ({ title: a.title, kind: a.kind?.value }));

  await applyTitled(app, at(lineOf(app, 'def greet')), 'Add telemetry to `greet`');
  const runtime = path.join(workspace, 'telemetry_runtime.py');
  const runtimeDocument = vscode.workspace.textDocuments.find((d) => d.uri.fsPath === runtime);
  report.add = {
    matchesGolden: app.getText() === fs.readFileSync(env('CONFORMANCE_GOLDEN_ADD'), 'utf8'),
    runtimeCreated: runtimeDocument ? runtimeDocument.getText().length > 0 : fs.existsSync(runtime) && fs.statSync(runtime).size > 0,
    remaining: messages(uri),
  };
  await applyTitled(app, at(lineOf(app, 'def greet')), 'Remove telemetry from `greet`', vscode.CodeActionKind.RefactorRewrite.value);
  report.remove = { originalBytes: app.getText() === original, remaining: messages(uri) };
  await applyTitled(app, at(lineOf(app, 'def farewell')), 'Ignore `farewell` for telemetry');
  report.ignore = { lineAbove: app.lineAt(lineOf(app, 'def farewell') - 1).text, remaining: messages(uri) };

  // 7: fix-all through VS Code's own on-save setting, on an explicit save of the original text.
  let before = snapshot(uri);
  const whole = new vscode.WorkspaceEdit();
  whole.replace(uri, new vscode.Range(0, 0, app.lineCount, 0), original);
  await vscode.workspace.applyEdit(whole);
  await changed(uri, before, 'diagnostics of the restored text');
  await vscode.workspace.getConfiguration('editor', { languageId: 'python' }).update('codeActionsOnSave', { 'source.fixAll.telemetry': 'explicit' }, vscode.ConfigurationTarget.Workspace, true);
  before = snapshot(uri);
  await vscode.window.showTextDocument(app, { preview: false });
  const state = () => `version ${app.version}, ${app.isDirty ? 'dirty' : 'saved'}, ${app.getText() === original ? 'the original text' : 'changed text'}`;
  mark(`save: ${state()}`);
  await vscode.commands.executeCommand('workbench.action.files.save');
  mark(`saved: ${state()}`);
  await changed(uri, before, 'diagnostics after the save');
  const fixed = app.getText();
  // A second save of the fixed file: make it dirty without changing its text, and save again.
  const touch = new vscode.WorkspaceEdit();
  touch.insert(uri, new vscode.Position(0, 0), ' ');
  await vscode.workspace.applyEdit(touch);
  const untouch = new vscode.WorkspaceEdit();
  untouch.delete(uri, new vscode.Range(0, 0, 0, 1));
  await vscode.workspace.applyEdit(untouch);
  await vscode.commands.executeCommand('workbench.action.files.save');
  report.fixAll = {
    matchesGolden: fixed === fs.readFileSync(env('CONFORMANCE_GOLDEN_FIX_ALL'), 'utf8'),
    secondRunUnchanged: app.getText() === fixed,
    remaining: messages(uri),
    via: 'editor.codeActionsOnSave {"source.fixAll.telemetry": "explicit"}, workbench.action.files.save',
  };
  await vscode.workspace.getConfiguration('editor', { languageId: 'python' }).update('codeActionsOnSave', undefined, vscode.ConfigurationTarget.Workspace, true);
  before = snapshot(uri);
  await vscode.commands.executeCommand('telemetryInjector.removeFromActiveFile');
  await changed(uri, before, 'diagnostics after Remove Telemetry from File');
  await vscode.commands.executeCommand('workbench.action.files.save');

  // The palette's Add Telemetry to File: the server's fix-all, applied through workspace/applyEdit.
  before = snapshot(uri);
  await vscode.commands.executeCommand('telemetryInjector.addToActiveFile');
  await changed(uri, before, 'diagnostics after Add Telemetry to File');
  extra.addToFile = { matchesGolden: app.getText() === fs.readFileSync(env('CONFORMANCE_GOLDEN_FIX_ALL'), 'utf8'), remaining: messages(uri) };
  before = snapshot(uri);
  await vscode.commands.executeCommand('telemetryInjector.removeFromActiveFile');
  await changed(uri, before, 'diagnostics after Remove Telemetry from File, again');
  await vscode.commands.executeCommand('workbench.action.files.save');
  // Scan Workspace resolves once the scan is over (and shows how many files it read).
  let logAt = outputLog(context).length;
  await vscode.commands.executeCommand('telemetryInjector.scanWorkspaceFolders');
  let scanned;
  await poll('the outcome of Scan Workspace in the output', () => (scanned = /scanned \d+ files|scan was cancelled/.exec(outputLog(context).slice(logAt))?.[0]));
  extra.scan = { outcome: scanned };

  // 9 and 8: a restart with severity = error; the first session's server must be gone.
  const pids = serverPids();
  before = snapshot(uri);
  await configure({ severity: 'error' });
  await changed(uri, before, 'diagnostics after severity = error');
  await restart(uri, () => ours(uri).length > 0);
  await poll('the first server to exit', () => pids.every((pid) => !fs.existsSync(`/proc/${pid}`))).catch(() => undefined);
  report.restart = pids.length === 0 ? { skipped: 'no bundled server process found' } : { orphanServers: pids.filter((pid) => fs.existsSync(`/proc/${pid}`)).length };
  report.settings = { severityErrorAtStart: severities(uri) };

  // Keys in the order that makes only the last update change what is shown.
  before = snapshot(uri);
  await configure({ enable: false, severity: undefined });
  await changed(uri, before, 'diagnostics after enable = false');
  report.settings.enableFalseOnChange = ours(uri).length;
  before = snapshot(uri);
  await configure({ severity: 'hint', enable: undefined });
  await changed(uri, before, 'diagnostics after severity = hint');
  report.settings.severityHintOnChange = severities(uri);

  before = snapshot(uri);
  await configure({ enable: false, severity: undefined });
  await changed(uri, before, 'diagnostics after enable = false again');
  await restart(uri);
  report.settings.enableFalseAtStart = ours(uri).length;
  await configure({ enable: undefined });
  await until('diagnostics after enable is unset', [vscode.languages.onDidChangeDiagnostics], () => ours(uri).length > 0);

  // A setting of the wrong type: the server keeps the default and warns once (the test counts the
  // notifications), however many open documents read it.
  logAt = outputLog(context).length;
  const ignored = 'telemetryInjector.severity is ignored';
  await configure({ severity: 'loud' });
  await poll('the server to say it ignores the setting', () => outputLog(context).slice(logAt).includes(ignored));
  await vscode.window.showTextDocument(documents['go/app.go'], { preview: false });
  await vscode.window.showTextDocument(app, { preview: false });
  extra.wrongType = { severities: severities(uri) };
  await configure({ severity: undefined });

  // A server that exits mid-session, and one that crashes on start: one message each, no restart.
  const [running] = serverPids();
  logAt = outputLog(context).length;
  process.kill(running, 'SIGKILL');
  const stoppedLine = 'The bundled telemetry-injector server stopped.';
  await poll('the message about the stopped server', () => outputLog(context).slice(logAt).includes(stoppedLine));
  extra.exitMidSession = {
    messages: outputLog(context).slice(logAt).split('\n').filter((line) => line.includes(stoppedLine)).length,
    serversAfter: serverPids().length,
  };

  const crashing = path.join(fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'ti-crash-')), 'crash-on-start');
  fs.writeFileSync(crashing, '#!/bin/sh\necho started >> "$0.starts"\nexit 3\n', { mode: 0o755 });
  logAt = outputLog(context).length;
  await configure({ path: crashing });
  const crashLine = `The telemetry-injector server set in "telemetryInjector.path" (${crashing})`;
  await poll('the message about the server crashing on start', () => outputLog(context).slice(logAt).includes(crashLine));
  extra.crashOnStart = {
    messages: outputLog(context).slice(logAt).split('\n').filter((line) => line.includes(crashLine)).length,
    starts: fs.readFileSync(`${crashing}.starts`, 'utf8').trim().split('\n').length,
    message: outputLog(context).slice(logAt).split('\n').find((line) => line.includes(crashLine)),
  };

  // 10: a server path that does not exist; the extension restarts on the change and says what to fix.
  const logBefore = outputLog(context).length;
  await configure({ path: '/nonexistent/telemetry-injector' });
  let message = '';
  await poll('an error about the missing server', () => {
    const added = outputLog(context).slice(logBefore);
    message = added.split('\n').find((line) => line.includes('/nonexistent/telemetry-injector')) ?? '';
    return message !== '';
  });
  report.missingServer = { setting: 'telemetryInjector.path', message };

  // With the path cleared, the workspace's own node_modules/.bin/telemetry-injector comes before the
  // bundled server: a wrapper that counts its starts and runs this repository's server.
  const bin = path.join(workspace, 'node_modules', '.bin', 'telemetry-injector');
  fs.mkdirSync(path.dirname(bin), { recursive: true });
  fs.writeFileSync(bin, `#!/bin/sh\necho started >> '${bin}.starts'\nexec node '${env('CONFORMANCE_SERVER')}' "$@"\n`, { mode: 0o755 });
  logAt = outputLog(context).length;
  const since = gen(uri);
  await configure({ path: undefined });
  await vscode.window.showTextDocument(app, { preview: false });
  await settled(uri, since, "diagnostics from the workspace's server", () => ours(uri).length > 0);
  extra.workspaceServer = {
    starts: fs.readFileSync(`${bin}.starts`, 'utf8').trim().split('\n').length,
    announced: outputLog(context).slice(logAt).includes(`starting ${bin} lsp --stdio (from the workspace's node_modules/.bin)`),
    diagnostics: ours(uri).length,
  };
  fs.writeFileSync(`${env('CONFORMANCE_REPORT')}.vscode.json`, JSON.stringify(extra, null, 2));
  // Problems panel open, for the test's screenshot.
  await vscode.commands.executeCommand('workbench.actions.view.problems');
  // Every notification of the run, for the test to count (the toasts show only a few at a time).
  await vscode.commands.executeCommand('notifications.showList');

  fs.writeFileSync(env('CONFORMANCE_REPORT') + '.trace', trace.join('\n'));
  fs.writeFileSync(env('CONFORMANCE_REPORT'), JSON.stringify(report, null, 2));
}

function activate(context) {
  if (!process.env.CONFORMANCE_REPORT) return;
  scenario(context).catch((error) => {
    const log = outputLog(context).split('\n').slice(-80).join('\n');
    const parts = [String(error?.stack ?? error), trace.join('\n'), `the output channel's last lines:\n${log}`];
    fs.writeFileSync(`${process.env.CONFORMANCE_REPORT}.error`, parts.join('\n'));
  });
}

module.exports = { activate, deactivate() {} };
