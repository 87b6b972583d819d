#!/usr/bin/env node
// A "server" that answers initialize, then exits (code 1) when the client says initialized: a server
// that dies mid-session. Each start is one line in $BROKEN_SERVER_STARTS (when set), so a test can
// tell one start from a restart loop. Speaks LSP's framing by hand, so that it runs with no dependency.
import fs from 'node:fs';
if (process.env.BROKEN_SERVER_STARTS) fs.appendFileSync(process.env.BROKEN_SERVER_STARTS, 'exit-after-initialize\n');
let buffer = Buffer.alloc(0);
process.stdin.on('data', (chunk) => {
  buffer = Buffer.concat([buffer, chunk]);
  for (;;) {
    const headerEnd = buffer.indexOf('\r\n\r\n');
    if (headerEnd < 0) return;
    const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString())?.[1]);
    if (buffer.length < headerEnd + 4 + length) return;
    const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString());
    buffer = buffer.subarray(headerEnd + 4 + length);
    if (message.method === 'initialize') {
      const body = JSON.stringify({ jsonrpc: '2.0', id: message.id, result: { capabilities: {} } });
      process.stdout.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
    } else if (message.method === 'initialized') {
      process.stderr.write('exit-after-initialize: exiting on purpose\n');
      process.exit(1);
    }
  }
});
