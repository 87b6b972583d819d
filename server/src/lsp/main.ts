// Entry point for `node dist/server/src/lsp/main.js --stdio`: a stdio connection handed to startServer.
// Must never write to stdout itself: stdout carries JSON-RPC.
import { createConnection } from 'vscode-languageserver/node.js';
import { startServer } from './server.js';

startServer(createConnection(process.stdin, process.stdout));
