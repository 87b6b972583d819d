// The routing table: each LSP method the server answers, bound to its handler, next to the
// capability that advertises it. Handlers live in one file per feature.
// Must never hold logic beyond dispatch, and never advertise a method it does not bind.
import {
  DidChangeConfigurationNotification,
  ErrorCodes,
  ResponseError,
  TextDocumentSyncKind,
  type Connection,
  type ServerCapabilities,
} from 'vscode-languageserver';
import { SettingsSection } from '../../../protocol/settings.js';
import { provideCodeActions, providedKinds, resolveCodeAction } from './code-actions.js';
import { pullDiagnostics } from './diagnostics.js';
import { executeCommand, handledCommands } from './execute-command.js';
import type { Session } from './session.js';
import type { ClientFeatures } from './capabilities.js';

export function serverCapabilities(client: ClientFeatures): ServerCapabilities {
  return {
    positionEncoding: 'utf-16',
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    codeActionProvider: { codeActionKinds: providedKinds, resolveProvider: client.resolveEdit },
    executeCommandProvider: { commands: handledCommands },
    ...(client.pullDiagnostics && { diagnosticProvider: { interFileDependencies: false, workspaceDiagnostics: false } }),
  };
}

export function bindRoutes(connection: Connection, session: Session): void {
  const { logger } = session;
  session.documents.listen(connection, session);
  connection.onDidChangeConfiguration(({ settings }) => session.configurationChanged(settings));
  connection.onCodeAction((params, token) => provideCodeActions(session, params, token));
  connection.onCodeActionResolve((action) => resolveCodeAction(session, action));
  connection.onExecuteCommand((params) => executeCommand(session, params));
  if (session.client.pullDiagnostics) connection.languages.diagnostics.on((params) => pullDiagnostics(session.analyzer, params));
  connection.onInitialized(() => {
    if (!session.client.registerConfigurationChange) return;
    connection.client.register(DidChangeConfigurationNotification.type, { section: SettingsSection }).catch((error) => {
      logger.warn(`could not register for configuration changes: ${String(error)}`);
    });
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
