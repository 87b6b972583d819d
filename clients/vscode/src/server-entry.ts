// The bundled server's entry (dist/server/main.js): the repository's language server on the IPC
// channel VS Code's LanguageClient opens when it forks this module (TransportKind.ipc passes
// --node-ipc, which createConnection() reads). Must never hold server logic: that is server/src/lsp.
import { createConnection } from 'vscode-languageserver/node.js';
import { startServer } from '../../../server/src/lsp/server.js';

startServer(createConnection());
