// The one logger of a server session: lines go to the client as window/logMessage, and what the
// user must see goes out as window/showMessage (a notification: nothing waits on the user).
// Must never write to stdout (it belongs to JSON-RPC) and must never be a module-scope singleton.
import { MessageType, ShowMessageNotification, type Connection } from 'vscode-languageserver';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  debug(message: string): void;
  /** Logs the message and shows it to the user. */
  show(type: 'error' | 'warning' | 'info', message: string): void;
}

const messageTypes = { error: MessageType.Error, warning: MessageType.Warning, info: MessageType.Info };

/** `verbose` adds debug lines; clients see them in their LSP log. */
export function createLogger(connection: Connection, verbose = false): Logger {
  const stamp = (message: string) => `[telemetry] ${message}`;
  const logger: Logger = {
    error: (message) => connection.console.error(stamp(message)),
    warn: (message) => connection.console.warn(stamp(message)),
    info: (message) => connection.console.info(stamp(message)),
    debug: (message) => {
      if (verbose) connection.console.log(stamp(message));
    },
    show: (type, message) => {
      logger[type === 'warning' ? 'warn' : type](message);
      connection.sendNotification(ShowMessageNotification.type, { type: messageTypes[type], message: `Telemetry: ${message}` }).catch(() => {
        // The connection is closing: the log line above is all that can be done.
      });
    },
  };
  return logger;
}
