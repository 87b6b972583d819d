// `telemetry-injector lsp --stdio`: runs the language server on stdin/stdout, exactly as
// server/src/lsp/main.ts does. The server is loaded only here, so the other commands start fast.
// Must never write to stdout itself: stdout carries JSON-RPC.
import { parse, UsageError } from './args.js';

export const lspHelp = {
  usage: 'lsp --stdio',
  summary: 'start the language server, speaking JSON-RPC on stdin/stdout',
  flags: [['--stdio', 'use stdin/stdout (the only transport; required)']],
} as const;

export async function lsp(args: readonly string[]): Promise<void> {
  // Editors' launchers may add --clientProcessId=<pid>; it is accepted and not needed.
  const { values, positionals } = parse<{ stdio?: boolean }>('lsp', args, {
    stdio: { type: 'boolean' },
    clientProcessId: { type: 'string' },
  });
  if (positionals.length > 0) throw new UsageError(`lsp takes no paths, got ${positionals.join(' ')}`);
  if (!values.stdio) throw new UsageError('lsp needs --stdio (the only transport)');
  const [{ createConnection }, { startServer }] = await Promise.all([
    import('vscode-languageserver/node.js'),
    import('../lsp/server.js'),
  ]);
  startServer(createConnection(process.stdin, process.stdout));
}
