// The conformance scenario (tests/editors/conformance) replayed with editors' captured capabilities:
// how Helix and Zed, which cannot run here, are held to the same expected report as the real editors
// (tests/editors). The replay writes its report to disk exactly as an editor test does.
import fs from 'node:fs';
import path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkReport,
  copyConformanceWorkspace,
  golden,
  type ConformanceReport,
  type ReportedDiagnostic,
} from '../editors/conformance/report.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const files = [
  ['go/app.go', 'go'],
  ['javascript/app.js', 'javascript'],
  ['python/app.py', 'python'],
  ['typescript/app.ts', 'typescript'],
] as const;

const clients: LspClient[] = [];
const workspaces: string[] = [];

afterEach(async () => {
  for (const client of clients.splice(0)) await client.shutdown().catch(() => undefined);
  for (const dir of workspaces.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

async function session(editor: string, workspace: string, settings: Record<string, unknown> = {}): Promise<LspClient> {
  const client = await LspClient.start({ editor, workspace, initializationOptions: { telemetryInjector: settings }, settings: { telemetryInjector: settings } });
  clients.push(client);
  return client;
}

const reported = (d: Diagnostic): ReportedDiagnostic => ({
  range: d.range,
  severity: d.severity!,
  code: String(d.code),
  source: d.source!,
  message: d.message,
});
const byPosition = (a: Diagnostic, b: Diagnostic) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character;

/** Applies the one action titled `title` on the diagnostic named `name`, and answers the new diagnostics' messages. */
async function applyAction(client: LspClient, document: OpenDocument, name: string, title: string): Promise<string[]> {
  const diagnostic = (await client.diagnostics(document)).find((d) => d.message.startsWith(`\`${name}\``))!;
  const action = (await client.codeActions(document, diagnostic.range, undefined, [diagnostic])).find((a) => a.title === title)!;
  await client.apply((await client.editOf(action))!);
  return (await client.diagnostics(document)).map((d) => d.message);
}

async function fixAll(client: LspClient, document: OpenDocument): Promise<void> {
  const range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const [action] = await client.codeActions(document, range, ['source.fixAll.telemetry']);
  if (action) await client.apply((await client.editOf(action))!);
}

async function runScenario(editor: string): Promise<ConformanceReport> {
  const workspace = copyConformanceWorkspace();
  workspaces.push(workspace);
  const client = await session(editor, workspace);
  const documents = new Map<string, OpenDocument>();
  for (const [file, languageId] of files) documents.set(file, await client.open(path.join(workspace, file), languageId));
  const diagnostics: ConformanceReport['diagnostics'] = {};
  for (const [file] of files) diagnostics[file] = (await client.diagnostics(documents.get(file)!)).sort(byPosition).map(reported);

  const app = documents.get('python/app.py')!;
  const original = app.text;
  const greet = (await client.diagnostics(app)).find((d) => d.message.startsWith('`greet`'))!;
  const actions = (await client.codeActions(app, greet.range, undefined, [greet])).map((a) => ({ title: a.title, kind: a.kind! }));

  const afterAdd = await applyAction(client, app, 'greet', 'Add telemetry to `greet`');
  const add = { matchesGolden: app.text === golden('add-greet'), runtimeCreated: fs.existsSync(path.join(workspace, 'telemetry_runtime.py')), remaining: afterAdd };
  const greetLine = app.text.split('\n').findIndex((line) => line.startsWith('def greet'));
  const onGreet = { start: { line: greetLine, character: 4 }, end: { line: greetLine, character: 4 } };
  const removeAction = (await client.codeActions(app, onGreet, ['refactor.rewrite'])).find((a) => a.title === 'Remove telemetry from `greet`')!;
  await client.apply((await client.editOf(removeAction))!);
  const remove = { originalBytes: app.text === original, remaining: (await client.diagnostics(app)).map((d) => d.message) };
  const afterIgnore = await applyAction(client, app, 'farewell', 'Ignore `farewell` for telemetry');
  const lines = app.text.split('\n');
  const ignore = { lineAbove: lines[lines.findIndex((line) => line.startsWith('def farewell')) - 1]!, remaining: afterIgnore };

  await client.change(app, original);
  await fixAll(client, app);
  const fixed = app.text;
  await fixAll(client, app);
  const fixAllStep = {
    matchesGolden: fixed === golden('fix-all'),
    secondRunUnchanged: app.text === fixed,
    remaining: (await client.diagnostics(app)).map((d) => d.message),
    via: 'code action source.fixAll.telemetry',
  };

  const firstServer = client.pid!;
  await client.shutdown();
  clients.splice(clients.indexOf(client), 1);
  const restart = { orphanServers: isRunning(firstServer) ? 1 : 0 };

  const severe = await session(editor, workspace, { severity: 'error' });
  const severeApp = await severe.open(path.join(workspace, 'python/app.py'), 'python');
  const severityErrorAtStart = (await severe.diagnostics(severeApp)).map((d) => d.severity!);
  severe.settings = { telemetryInjector: { enable: false } };
  await severe.notify('workspace/didChangeConfiguration', { settings: severe.settings });
  const enableFalseOnChange = (await settled(severe, severeApp, (now) => now.length === 0)).length;
  severe.settings = { telemetryInjector: { severity: 'hint' } };
  await severe.notify('workspace/didChangeConfiguration', { settings: severe.settings });
  const severityHintOnChange = (await settled(severe, severeApp, (now) => now.length > 0)).map((d) => d.severity!);

  const off = await session(editor, workspace, { enable: false });
  const offApp = await off.open(path.join(workspace, 'python/app.py'), 'python');
  const enableFalseAtStart = (await off.diagnostics(offApp)).length;

  return {
    client: `replay of ${editor}`,
    started: {
      diagnosticsMode: client.pulls ? 'pull' : 'push',
      executeCommands: client.initializeResult.capabilities.executeCommandProvider?.commands ?? [],
    },
    diagnostics,
    actions,
    add,
    remove,
    ignore,
    fixAll: fixAllStep,
    settings: { severityErrorAtStart, enableFalseAtStart, enableFalseOnChange, severityHintOnChange },
    restart,
    missingServer: { skipped: 'a replay has no client to look the server up' },
  };
}

/** Diagnostics after a settings change: pulled (the change is handled first), or the push that shows it. */
async function settled(client: LspClient, document: OpenDocument, shows: (diagnostics: Diagnostic[]) => boolean): Promise<Diagnostic[]> {
  if (client.pulls) return client.diagnostics(document);
  return client.waitFor(() => {
    const push = client.lastPush(document.uri)?.diagnostics;
    return push && shows(push) ? push : undefined;
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('the conformance scenario replayed', () => {
  it.each([
    ['helix-25.07.1', 'push'],
    ['helix-master-079a789e', 'pull'],
    ['zed-main-38df25d5', 'pull'],
  ] as const)('gives the expected report with the capabilities of %s (%s diagnostics)', async (editor, diagnosticsMode) => {
    const report = await runScenario(editor);
    if (process.env.CONFORMANCE_PRINT) console.log(JSON.stringify(report, null, 2));
    fs.writeFileSync(path.join(workspaces[0]!, 'conformance-report.json'), JSON.stringify(report, null, 2));
    expect(checkReport(report, { diagnosticsMode, skip: { missingServer: 'a replay has no client to look the server up' } })).toEqual([]);
  });
});
