// startServer: runs a telemetry-injector session on a connection (stdio from main.ts or the CLI).
// Must never keep state in module scope: the session lives in this function's closure.
import type { Connection, InitializeResult } from 'vscode-languageserver';
import { bindRoutes, serverCapabilities } from './routes.js';
import { Session } from './session.js';

export function startServer(connection: Connection): void {
  // The server owns its process: a stray rejection is logged, never allowed to kill the session.
  process.on('unhandledRejection', (reason) => process.stderr.write(`[telemetry] unhandled rejection: ${String(reason)}\n`));
  connection.onInitialize(async (params): Promise<InitializeResult> => {
    const session = await Session.create(connection, params);
    bindRoutes(connection, session);
    return {
      capabilities: serverCapabilities(session.client),
      serverInfo: { name: 'telemetry-injector' },
    };
  });
  connection.listen();
}
