import fs from 'node:fs';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bin, cli, repoRoot } from './helpers.js';

describe('telemetry-injector', () => {
  it('lists every subcommand with its flags under --help, -h and help', async () => {
    for (const flag of ['--help', '-h', 'help']) {
      const run = await cli([flag], { cwd: repoRoot });
      expect(run.code).toBe(0);
      for (const command of ['lsp', 'check', 'inject', 'strip', 'report', 'export', 'trace']) {
        expect(run.stdout).toMatch(new RegExp(`^  ${command} +\\S`, 'm'));
        expect(run.stdout).toContain(`telemetry-injector ${command} `);
      }
      for (const option of ['--stdio', '--min-coverage <pct>', '--dry-run', '--out DIR', '--runtime-path DIR', '--format text|json']) {
        expect(run.stdout).toContain(option);
      }
    }
  });

  it('prints one command\'s help for `<command> --help`', async () => {
    const run = await cli(['inject', '--help'], { cwd: repoRoot });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('telemetry-injector inject <paths…>');
    expect(run.stdout).not.toContain('telemetry-injector report');
  });

  it('prints the package version for --version', async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(repoRoot, 'package.json'), 'utf8'));
    const run = await cli(['--version'], { cwd: repoRoot });
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('exits 2 with a usage error for an unknown subcommand or none', async () => {
    const unknown = await cli(['lint', '.'], { cwd: repoRoot });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('telemetry-injector: unknown command: lint');
    expect(unknown.stdout).toBe('');
    const none = await cli([], { cwd: repoRoot });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing command');
  });

  it('is an executable node script', () => {
    expect(fs.readFileSync(bin, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(bin).mode & 0o111).not.toBe(0);
  });

  it('answers an initialize request over stdio with `lsp --stdio`', async () => {
    const server = spawn(process.execPath, [bin, 'lsp', '--stdio'], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    try {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
      server.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      const response = await readMessage(server.stdout, (message) => message.id === 1);
      expect(response.result.serverInfo).toEqual({ name: 'telemetry-injector' });
      expect(response.result.capabilities.codeActionProvider).toBeDefined();
    } finally {
      server.kill();
    }
  });
});

interface RpcMessage {
  id?: number;
  result: { serverInfo?: unknown; capabilities: Record<string, unknown> };
}

/** Reads Content-Length framed messages from `stream` until one matches. */
function readMessage(stream: NodeJS.ReadableStream, match: (message: RpcMessage) => boolean): Promise<RpcMessage> {
  return new Promise((resolve, reject) => {
    let buffer = Buffer.alloc(0);
    stream.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      for (;;) {
        const headerEnd = buffer.indexOf('\r\n\r\n');
        if (headerEnd < 0) return;
        const length = Number(/Content-Length: (\d+)/i.exec(buffer.subarray(0, headerEnd).toString('ascii'))?.[1]);
        if (buffer.length < headerEnd + 4 + length) return;
        const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString('utf8')) as RpcMessage;
        buffer = buffer.subarray(headerEnd + 4 + length);
        if (match(message)) return resolve(message);
      }
    });
    stream.on('end', () => reject(new Error('the server closed stdout without answering')));
  });
}
