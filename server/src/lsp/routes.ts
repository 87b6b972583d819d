// The routing table: each LSP method the server answers, bound to its handler, next to the
// capability that advertises it, and where its work runs. Handlers live in one file per feature.
// Must never hold logic beyond dispatch, and never advertise a method it does not bind.
//
// Where each method's work runs (ruff's model): `main` works on the open documents (their trees,
// incremental parses under a 5 s deadline, cached analyses); `pool` reads files from disk and
// parses them in worker threads; `store` answers from the workspace store once a scan has ended.
//   textDocument/didOpen, didChange, didClose      main (didOpen also pool, for clients that cannot watch)
//   textDocument/didSave                           pool (bound only for clients that cannot watch)
//   textDocument/diagnostic, codeAction, codeAction/resolve, executeCommand (file and trace commands)   main
//   workspace/executeCommand telemetryInjector.addWithLlm   main, awaiting the LLM (never in a codeAction)
//   workspace/executeCommand telemetryInjector.scanWorkspace, workspace/didChangeWatchedFiles   pool
//   workspace/didChangeConfiguration               main (open documents), then pool (a new scan)
//   workspace/diagnostic, telemetry/coverage       store (and main for open documents' coverage)
//   telemetryInjector/stats (diagnostic)           main (reads the event-loop-delay histogram)
//   textDocument/codeLens, codeLens/resolve, textDocument/hover, executeCommand showFunctionTrace
//                                                  main (open documents joined to the trace model,
//                                                  which TraceSources fills from event files off requests)
import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type Connection,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { Commands } from '../../../protocol/commands.js';
import { CoverageRequest } from '../../../protocol/coverage.js';
import { ServerStatsRequest } from '../../../protocol/server-stats.js';
import { DeprecatedSettingsSection, SettingsSection } from '../../../protocol/settings.js';
import { provideCodeActions, providedKinds, resolveCodeAction } from './code-actions.js';
import { provideCodeLenses, provideHover, resolveCodeLens, showFunctionTrace } from './code-lens.js';
import { pullDiagnostics } from './diagnostics.js';
import { handledTraceCommands } from './traced-functions.js';
import { executeCommand, handledCommands } from './execute-command.js';
import type { Session } from './session.js';
import type { ClientFeatures } from './capabilities.js';
import { workspaceCoverage } from './workspace-coverage.js';
import { AddWithLlmCommand } from './llm-actions.js';
import { filesChanged, registerFileWatchers } from './workspace-watch.js';

export function serverCapabilities(client: ClientFeatures): ServerCapabilities {
  return {
    positionEncoding: 'utf-16',
    textDocumentSync: {
      openClose: true,
      change: TextDocumentSyncKind.Incremental,
      // A save tells a client that cannot watch files that the disk changed.
      ...(!client.watchFiles && { save: { includeText: false } }),
    },
    codeActionProvider: { codeActionKinds: providedKinds, resolveProvider: client.resolveEdit },
    executeCommandProvider: { commands: [...handledCommands, ...handledTraceCommands, Commands.scanWorkspace, Commands.showFunctionTrace, AddWithLlmCommand] },
    codeLensProvider: { resolveProvider: client.codeLensResolve },
    hoverProvider: true,
    ...(client.pullDiagnostics && { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: true } }),
  };
}

export function bindRoutes(connection: Connection, session: Session): void {
  const { logger } = session;
  session.documents.listen(connection, session);
  // After documents.listen, whose own didSave handler this replaces (nothing listens to it).
  if (!session.client.watchFiles) connection.onDidSaveTextDocument(({ textDocument }) => session.saved(textDocument.uri));
  connection.onDidChangeConfiguration(({ settings }) => session.configurationChanged(settings));
  connection.onDidChangeWatchedFiles(({ changes }) => filesChanged(session, changes));
  connection.onCodeAction((params, token) => provideCodeActions(session, params, token));
  connection.onCodeActionResolve((action, token) => resolveCodeAction(session, action, token));
  connection.onCodeLens((params) => provideCodeLenses(session, params));
  connection.onCodeLensResolve((lens) => resolveCodeLens(session, lens));
  connection.onHover((params) => provideHover(session, params));
  connection.onExecuteCommand(async (params, token, progress) => {
    // The LLM: awaited off every other request's path, with progress and cancellation.
    if (params.command === AddWithLlmCommand) return session.llm.execute(params, token, progress);
    if (params.command === Commands.showFunctionTrace) return showFunctionTrace(session, params.arguments ?? []);
    if (handledTraceCommands.includes(params.command)) return session.traced.execute(await session.analyzer.snapshot(String(params.arguments?.[0])), params);
    if (params.command !== Commands.scanWorkspace) return executeCommand(session, params);
    return session.scanner.scan(params.workDoneToken !== undefined ? progress : undefined);
  });
  if (session.client.pullDiagnostics) {
    connection.languages.diagnostics.on((params, token) => pullDiagnostics(session.analyzer, params, token, (snap) => session.traced.diagnostics(snap), session.pulled));
    connection.languages.diagnostics.onWorkspace((params, token) => session.workspaceDiagnostics.pull(session.scanner, params, token));
  }
  connection.onRequest(CoverageRequest.type, (params, token) => workspaceCoverage(session, params, token));
  // A diagnostic, not a feature: unadvertised, read by the benchmark (protocol/server-stats.ts).
  connection.onRequest(ServerStatsRequest, () => session.stats.read());
  connection.onInitialized(() => {
    if (session.client.watchFiles) registerFileWatchers(connection, logger);
    if (session.client.registerConfigurationChange) {
      connection.client.register(DidChangeConfigurationNotification.type, { section: [SettingsSection, DeprecatedSettingsSection] }).catch((error) => {
        logger.warn(`could not register for configuration changes: ${String(error)}`);
      });
    }
    session.started();
  });
  connection.onShutdown(() => session.dispose());
  // Anything else is logged, so that an unhandled message never goes unnoticed.
  connection.onRequest((method) => {
    logger.warn(`unhandled request ${method}`);
    throw new ResponseError(ErrorCodes.MethodNotFound, `telemetry-injector does not handle ${method}`);
  });
  connection.onNotification((method) => {
    if (!method.startsWith('$/')) logger.warn(`unhandled notification ${method}`);
  });
}
