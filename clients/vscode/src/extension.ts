// The VS Code extension: starts one telemetry-injector language client per window, with the server
// chosen by server-path.ts, and owns the palette commands (restart, output, scan, add, remove).
// Diagnostics, code actions and fix-all come from the server through vscode-languageclient.
// Must never restart a failed server by itself: one clear message, and the user restarts.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';
import {
  CloseAction,
  ErrorAction,
  ExecuteCommandRequest,
  LanguageClient,
  RevealOutputChannelOn,
  TransportKind,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { chooseServer, failureMessage, PathSetting, type ServerChoice } from './server-path';
import { showTrace, viewerQuery } from './show-trace';

const Section = 'telemetryInjector';
/** The languages the server checks: VS Code's ids (JSX and TSX have their own). */
const Languages = ['python', 'javascript', 'javascriptreact', 'typescript', 'typescriptreact', 'go', 'java', 'rust'];
/** Server commands (protocol/commands.ts), which the language client registers when it starts. */
const ServerCommands = {
  addToFile: 'telemetryInjector.addToFile',
  removeFromFile: 'telemetryInjector.removeFromFile',
  scanWorkspace: 'telemetryInjector.scanWorkspace',
} as const;

let output: vscode.LogOutputChannel;
let client: LanguageClient | undefined;
/** Serialises start/stop, so that a restart during a start never leaves two servers. */
let pending: Promise<void> = Promise.resolve();

export function activate(context: vscode.ExtensionContext): void {
  output = vscode.window.createOutputChannel('Telemetry Injector', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('telemetryInjector.restartServer', () => queue(() => restart(context))),
    vscode.commands.registerCommand('telemetryInjector.showOutput', () => output.show(true)),
    vscode.commands.registerCommand('telemetryInjector.scanWorkspaceFolders', scanWorkspace),
    vscode.commands.registerCommand('telemetryInjector.addToActiveFile', () => fileCommand(ServerCommands.addToFile)),
    vscode.commands.registerCommand('telemetryInjector.removeFromActiveFile', () => fileCommand(ServerCommands.removeFromFile)),
    vscode.commands.registerCommand('telemetryInjector.showTrace', (query?: Record<string, string>) => {
      const choice = choose(context);
      const launcher =
        choice.kind === 'bundled' ? { kind: 'bundled' as const, module: context.asAbsolutePath(path.join('dist', 'server', 'view.js')) } : choice.kind === 'executable' ? { kind: 'executable' as const, command: choice.command } : undefined;
      return showTrace(launcher, output, query !== null && typeof query === 'object' ? query : undefined);
    }),
    // A different server, or trust that now allows the workspace's one: start the right one.
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(PathSetting)) void queue(() => restart(context));
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void queue(() => restart(context))),
    { dispose: () => void stop() },
  );
  void queue(() => start(context));
}

export function deactivate(): Promise<void> {
  return stop();
}

/**
 * The language client logs its own errors and forces a notification for some (a connection that
 * cannot be made, or errors): alongside this extension's message they made three for one failure.
 * They go to the output only; failures reach the user once, through report() in start().
 */
class LanguageClientWithOneMessage extends LanguageClient {
  override error(message: string, data?: unknown, _showNotification?: boolean | 'force'): void {
    super.error(message, data, false);
  }
}

function queue(step: () => Promise<void>): Promise<void> {
  pending = pending.then(step, step);
  return pending;
}

function choose(context: vscode.ExtensionContext): ServerChoice {
  return chooseServer({
    setting: vscode.workspace.getConfiguration(Section).get<string>('path', ''),
    trusted: vscode.workspace.isTrusted,
    folders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
    bundled: context.asAbsolutePath(path.join('dist', 'server', 'main.js')),
    nodeVersion: process.versions.node,
    exists: (file) => fs.existsSync(file),
    join: path.join,
    isAbsolute: path.isAbsolute,
  });
}

function serverOptions(choice: Exclude<ServerChoice, { kind: 'missing' }>): ServerOptions {
  if (choice.kind === 'bundled') {
    const run = { module: choice.module, transport: TransportKind.ipc };
    return { run, debug: run };
  }
  // Windows runs .cmd shims (node_modules/.bin) only through a shell.
  const run = { command: choice.command, args: ['lsp', '--stdio'], transport: TransportKind.stdio, options: { shell: process.platform === 'win32' } };
  return { run, debug: run };
}

async function start(context: vscode.ExtensionContext): Promise<void> {
  const choice = choose(context);
  if (choice.kind === 'missing') {
    output.error(choice.message);
    void offerFix(choice.message, true);
    return;
  }
  output.info(choice.kind === 'bundled' ? `starting the bundled server (${choice.module})` : `starting ${choice.command} lsp --stdio (from ${choice.origin === 'setting' ? PathSetting : "the workspace's node_modules/.bin"})`);
  let reported = false;
  /** One message per session, whichever of start, error and close sees the failure first. */
  const report = (detail: string) => {
    if (reported) return;
    reported = true;
    const message = failureMessage(choice, detail);
    output.error(message);
    void offerFix(message, choice.kind === 'executable' && choice.origin === 'setting');
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: Languages.map((language) => ({ scheme: 'file', language })),
    synchronize: { configurationSection: Section },
    // A plain copy: the configuration object carries methods the JSON-RPC message must not.
    initializationOptions: { [Section]: JSON.parse(JSON.stringify(vscode.workspace.getConfiguration(Section))) as unknown },
    outputChannel: output,
    revealOutputChannelOn: RevealOutputChannelOn.Never,
    // A runtime-figures lens opens the function's calls in the trace viewer instead of a message.
    middleware: {
      executeCommand: (command, args, next) =>
        command === 'telemetryInjector.showFunctionTrace' && typeof args[0] === 'string'
          ? vscode.commands.executeCommand('telemetryInjector.showTrace', viewerQuery(args[0]))
          : next(command, args),
    },
    initializationFailedHandler: (error) => {
      report(`failed to initialize (${String(error)})`);
      return false;
    },
    errorHandler: {
      error: () => ({ action: ErrorAction.Continue, handled: true }),
      closed: () => {
        report('stopped');
        return { action: CloseAction.DoNotRestart, handled: true };
      },
    },
  };
  const next = new LanguageClientWithOneMessage('telemetryInjector', 'Telemetry Injector', serverOptions(choice), clientOptions);
  client = next;
  try {
    await next.start();
  } catch (error) {
    report(`could not start (${error instanceof Error ? error.message : String(error)})`);
  }
}

async function stop(): Promise<void> {
  const current = client;
  client = undefined;
  if (!current) return;
  try {
    // stop() waits for shutdown and exit, and kills the process if it does not go in time.
    if (current.isRunning()) await current.stop(5_000);
  } catch (error) {
    output.warn(`stopping the server: ${String(error)}`);
  }
  await current.dispose().catch(() => undefined);
}

async function restart(context: vscode.ExtensionContext): Promise<void> {
  await stop();
  await start(context);
}

async function offerFix(message: string, namesSetting: boolean): Promise<void> {
  const actions = namesSetting ? ['Open Settings', 'Restart', 'Show Output'] : ['Restart', 'Show Output'];
  const picked = await vscode.window.showErrorMessage(message, ...actions);
  if (picked === 'Open Settings') await vscode.commands.executeCommand('workbench.action.openSettings', PathSetting);
  if (picked === 'Restart') await vscode.commands.executeCommand('telemetryInjector.restartServer');
  if (picked === 'Show Output') output.show(true);
}

function running(): LanguageClient | undefined {
  if (client?.isRunning()) return client;
  void vscode.window.showWarningMessage('The telemetry-injector server is not running.', 'Restart', 'Show Output').then((picked) => {
    if (picked === 'Restart') void vscode.commands.executeCommand('telemetryInjector.restartServer');
    if (picked === 'Show Output') output.show(true);
  });
  return undefined;
}

async function fileCommand(command: string): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  const current = running();
  if (!editor || !current) return;
  const document = editor.document;
  // The server edits through workspace/applyEdit for this uri and version.
  await current.sendRequest(ExecuteCommandRequest.type, {
    command,
    arguments: [current.code2ProtocolConverter.asUri(document.uri), document.version],
  });
}

async function scanWorkspace(): Promise<void> {
  const current = running();
  if (!current) return;
  const outcome = (await current.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.scanWorkspace })) as
    | { files: number; cancelled: boolean }
    | null;
  if (!outcome) return;
  if (outcome.cancelled) {
    output.info('the workspace scan was cancelled: a newer scan took its place');
    return;
  }
  output.info(`scanned ${outcome.files} files`);
  void vscode.window.showInformationMessage(`Telemetry Injector scanned ${outcome.files} files.`);
}
