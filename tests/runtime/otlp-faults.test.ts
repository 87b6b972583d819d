// OTLP endpoints that misbehave beyond status codes, for the Python, JavaScript and Go runtimes:
// one that answers bytes that are not HTTP, one that redirects to itself, one that answers with a
// 10 MB body. A small program makes three recorded calls and prints the exporter's own counts once
// it has settled: the program's output and exit stay the same, nothing is delivered, the failure
// is counted, and a redirect is never followed or retried. Then malformed OTEL_* settings: each
// gives one stderr line and the default.
import { writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { OtlpReceiver } from '../otlp/receiver.js';
import { cleanEnv, GO_ENV, removeScratch, run, scratch, writeRuntime } from './helpers.js';

// Each program: three calls of `work`, "work done", then {sent, failed, dropped} once they add up to 3 (bounded).
const PYTHON = `import json, time
import telemetry_runtime as _tm
for i in range(3):
    _tm.exit(_tm.enter("work", "stats.py", 1, {"i": i}))
print("work done", flush=True)
end = time.monotonic() + 15
while sum(_tm.otlp_stats().values()) < 3 and time.monotonic() < end:
    time.sleep(0.02)
s = _tm.otlp_stats()
print(json.dumps({"sent": s["sent"], "failed": s["failed"], "dropped": s["dropped"]}))
`;
const JAVASCRIPT = `const _tm = require('./telemetry-runtime.cjs');
for (let i = 0; i < 3; i++) _tm.exit(_tm.enter('work', 'stats.cjs', 1, { i }));
console.log('work done');
const end = Date.now() + 15000;
const timer = setInterval(() => {
  const s = _tm.otlpStats();
  if (s.sent + s.failed + s.dropped < 3 && Date.now() < end) return;
  clearInterval(timer);
  console.log(JSON.stringify({ sent: s.sent, failed: s.failed, dropped: s.dropped }));
}, 20);
`;
const GO = `package main

import (
	"fmt"
	"time"

	_tm "example.com/faults/telemetry"
)

func main() {
	for i := 0; i < 3; i++ {
		_tm.Exit(_tm.Enter("work", "stats.go", 1, "i", i))
	}
	fmt.Println("work done")
	end := time.Now().Add(15 * time.Second)
	for {
		sent, failed, dropped := _tm.OTLPStats()
		if sent+failed+dropped >= 3 || time.Now().After(end) {
			fmt.Printf("{\\"sent\\":%d,\\"failed\\":%d,\\"dropped\\":%d}\\n", sent, failed, dropped)
			return
		}
		_tm.Flush()
		time.Sleep(20 * time.Millisecond)
	}
}
`;

const rows = [
  {
    lang: 'python' as const,
    async setup(dir: string, engine: Engine) {
      writeRuntime(engine, 'python', dir);
      writeFileSync(join(dir, 'stats.py'), PYTHON);
    },
    command: (): [string, string[]] => ['python3', ['stats.py']],
  },
  {
    lang: 'javascript' as const,
    async setup(dir: string, engine: Engine) {
      writeRuntime(engine, 'javascript', dir);
      writeFileSync(join(dir, 'stats.cjs'), JAVASCRIPT);
    },
    command: (): [string, string[]] => [process.execPath, ['stats.cjs']],
  },
  {
    lang: 'go' as const,
    async setup(dir: string, engine: Engine) {
      writeFileSync(join(dir, 'go.mod'), 'module example.com/faults\n\ngo 1.19\n');
      writeRuntime(engine, 'go', dir);
      writeFileSync(join(dir, 'main.go'), GO);
      const build = await run('go', ['build', '-o', 'stats', '.'], { cwd: dir, env: cleanEnv(GO_ENV) });
      expect(build, build.stderr).toMatchObject({ code: 0 });
    },
    command: (dir: string): [string, string[]] => [join(dir, 'stats'), []],
  },
];

/** A TCP server that answers every request with bytes that are not HTTP, then hangs up. */
async function garbageServer(): Promise<{ url: string; connections: () => number; close: () => Promise<void> }> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.once('data', () => socket.end('\u0000\u00ffSSH-2.0-not-http\r\n\r\n'));
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    connections: () => connections,
    close: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

describe.each(rows)('the $lang OTLP exporter against a misbehaving endpoint', (row) => {
  let dir = '';
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    dir = scratch();
    await row.setup(dir, await Engine.create());
  }, 300_000);
  afterAll(() => removeScratch(dir));
  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterEach(() => receiver.close());

  const exported = (endpoint: string, env: Record<string, string> = {}) => {
    const [command, args] = row.command(dir);
    // A long timeout, so that a busy machine never turns a slow answer into a retry.
    const base = { DEBUG: 'true', TELEMETRY_FILE: join(dir, 'events.jsonl'), OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_TIMEOUT: '5000' };
    return run(command, args, { cwd: dir, env: cleanEnv({ ...base, ...env }) });
  };
  const counts = (stdout: string) => JSON.parse(stdout.split('\n')[1]!) as { sent: number; failed: number; dropped: number };

  it('survives an endpoint that answers bytes that are not HTTP, and counts the three spans as failed', async () => {
    const garbage = await garbageServer();
    try {
      // A short timeout: bytes that are not HTTP are retried like a connection error until it ends.
      const result = await exported(garbage.url, { OTEL_EXPORTER_OTLP_TIMEOUT: '500' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      expect(result.stdout.split('\n')[0]).toBe('work done');
      expect(counts(result.stdout)).toEqual({ sent: 0, failed: 3, dropped: 0 });
      expect(garbage.connections()).toBeGreaterThan(0);
    } finally {
      await garbage.close();
    }
  });

  it('fails a batch that an endpoint redirects to itself at once, without following or retrying the redirect', async () => {
    const loop = { status: 307, headers: { location: `${receiver.url}/v1/traces` } };
    receiver.reply(loop, loop, loop, loop, loop);
    const result = await exported(receiver.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(counts(result.stdout)).toEqual({ sent: 0, failed: 3, dropped: 0 });
    expect(receiver.received.map((r) => r.path)).toEqual(['/v1/traces']);
  });

  it('reads no more than a little of a 10 MB answer, and counts the refused batch as failed', async () => {
    receiver.reply({ status: 400, body: 'x'.repeat(10 * 1024 * 1024) });
    const result = await exported(receiver.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(counts(result.stdout)).toEqual({ sent: 0, failed: 3, dropped: 0 });
    expect(receiver.received).toHaveLength(1);
  });

  it('delivers past a 200 with a 10 MB body: the answer is not read to its end, and the spans count as sent', async () => {
    receiver.reply({ status: 200, body: 'x'.repeat(10 * 1024 * 1024) });
    const result = await exported(receiver.url);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(counts(result.stdout)).toEqual({ sent: 3, failed: 0, dropped: 0 });
  });

  it('writes one stderr line for each malformed OTEL_* setting, and goes on with the defaults', async () => {
    const result = await exported(receiver.url, {
      OTEL_TRACES_SAMPLER: 'sometimes',
      OTEL_TRACES_SAMPLER_ARG: 'half',
      OTEL_RESOURCE_ATTRIBUTES: 'team',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'collector:4318',
    });
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n').sort()).toEqual([
      expect.stringMatching(/^telemetry: OTEL_EXPORTER_OTLP_LOGS_ENDPOINT=collector:4318 is not an http\(s\) URL/),
      expect.stringMatching(/^telemetry: OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported/),
      expect.stringMatching(/^telemetry: ignoring malformed OTEL_RESOURCE_ATTRIBUTES entry/),
      expect.stringMatching(/^telemetry: ignoring malformed OTEL_TRACES_SAMPLER=sometimes; using parentbased_always_on$/),
      expect.stringMatching(/^telemetry: ignoring malformed OTEL_TRACES_SAMPLER_ARG=half; using 1\.0$/),
    ]);
    // The default sampler keeps every trace: all three calls are delivered.
    expect(counts(result.stdout)).toEqual({ sent: 3, failed: 0, dropped: 0 });
  });
});
