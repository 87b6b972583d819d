// Socket events in the Python, JavaScript and Go runtimes, with real programs against loopback
// servers: an echo server (5 bytes in, 7 out) and an HTTP server. A connection opened under a
// recorded call becomes one `socket_connection` event with that call's identity, the peer, the
// local address and the byte counts, also when it closes after the call returned or is still
// open at exit; a connection outside any call, an undialled one (Go without telemetry.Dialer), or
// any connection while telemetry is off writes nothing. The streams stay well formed.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { cli } from '../cli/helpers.js';
import { attr, OtlpReceiver } from '../otlp/receiver.js';
import { expectSchema } from './deep-programs.js';
import { cleanEnv, expectWellFormed, fixturePath, GO_ENV, instrumentFixture, readEvents, removeScratch, run, scratch, writeRuntime } from './helpers.js';

interface Row {
  lang: LanguageId;
  talk: string;
  get: string;
  build(dir: string, engine: Engine): Promise<void>;
  command(dir: string): [string, string[]];
}

const rows: Row[] = [
  {
    lang: 'python',
    talk: 'talk',
    get: 'get',
    async build(dir, engine) {
      writeRuntime(engine, 'python', dir);
      await instrumentFixture(engine, 'python', 'sockets/sockets.py', dir, { runtimeImport: 'telemetry_runtime' });
    },
    command: () => ['python3', ['sockets.py']],
  },
  {
    lang: 'javascript',
    talk: 'talk',
    get: 'get',
    async build(dir, engine) {
      writeRuntime(engine, 'javascript', dir);
      await instrumentFixture(engine, 'javascript', 'sockets/sockets.cjs', dir, { runtimeImport: './telemetry-runtime.cjs', esm: false });
    },
    command: () => [process.execPath, ['sockets.cjs']],
  },
  {
    lang: 'go',
    talk: 'Talk',
    get: 'Get',
    async build(dir, engine) {
      writeFileSync(join(dir, 'go.mod'), readFileSync(fixturePath('go/go.mod')));
      writeRuntime(engine, 'go', dir);
      await instrumentFixture(engine, 'go', 'sockets/sockets.go', dir, { runtimeImport: 'example.com/rt/telemetry' });
      const build = await run('go', ['build', '-o', 'sockets', '.'], { cwd: dir, env: cleanEnv(GO_ENV) });
      expect(build, build.stderr).toMatchObject({ code: 0 });
    },
    command: (dir) => [join(dir, 'sockets'), []],
  },
];

let echo: Server;
let http: HttpServer;
const sockets = new Set<Socket>();
const port = (server: Server | HttpServer) => (server.address() as AddressInfo).port;

beforeAll(async () => {
  // Reads "hello", answers "world!!", and leaves the closing to the client.
  echo = createServer((socket) => {
    sockets.add(socket);
    let got = '';
    socket.on('data', (data) => {
      got += data;
      if (got.length >= 5) socket.write('world!!');
    });
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  http = createHttpServer((_req, res) => res.end('page!'));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  for (const socket of sockets) socket.destroy();
  http.closeAllConnections();
  await new Promise((resolve) => echo.close(resolve));
  await new Promise((resolve) => http.close(resolve));
});

describe.each(rows)('socket events in the $lang runtime', (row) => {
  let dir = '';
  beforeAll(async () => {
    dir = scratch();
    await row.build(dir, await Engine.create());
  }, 300_000);
  afterAll(() => removeScratch(dir));

  const runWith = async (label: string, env: Record<string, string>) => {
    const [command, args] = row.command(dir);
    const file = join(dir, `${label}.jsonl`);
    const result = await run(command, [...args, String(port(echo)), String(port(http))], { cwd: dir, env: cleanEnv({ TELEMETRY_FILE: file, ...env }) });
    return { result, events: readEvents(file), file };
  };
  const connections = (events: TelemetryEvent[]) => events.filter((e) => e.event_type === 'socket_connection');

  it('writes one socket_connection per connection a recorded call opened, with its peer, local address and bytes', async () => {
    const { result, events } = await runWith('on', { DEBUG: 'true' });
    expect(result).toMatchObject({ code: 0, stdout: 'world!!\npage!\n', stderr: '' });
    expectWellFormed(events);
    expectSchema(events as never);
    const found = connections(events);
    expect(found.map((e) => e.function_name).sort()).toEqual([row.get, row.talk].sort());
    const talk = found.find((e) => e.function_name === row.talk)!;
    const entry = events.find((e) => e.event_type === 'function_entry' && e.function_name === row.talk)!;
    expect(talk).toMatchObject({
      correlation_id: entry.correlation_id,
      span_id: entry.span_id,
      trace_id: entry.trace_id,
      destination: `127.0.0.1:${port(echo)}`,
      protocol: 'tcp',
      bytes_sent: 5,
      bytes_received: 7,
    });
    expect(talk.source).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(talk.duration_ns).toBeGreaterThan(0);
    const get = found.find((e) => e.function_name === row.get)!;
    expect(get).toMatchObject({ destination: `127.0.0.1:${port(http)}`, protocol: 'tcp' });
    // An HTTP GET's request line and headers, and the answer's status line, headers and body.
    expect(get.bytes_sent).toBeGreaterThan(30);
    expect(get.bytes_received).toBeGreaterThan('page!'.length);
  });

  it('exports each connection as a log record with its call\'s trace and span, the same as `export` of the JSONL', async () => {
    const receiver = await OtlpReceiver.start();
    const fromCli = await OtlpReceiver.start();
    try {
      // The exit waits for the export at most OTEL_EXPORTER_OTLP_TIMEOUT: generous, so that a loaded machine
      // cannot cut it short and lose records; a receiver that answers ends the wait at once.
      const { events, file } = await runWith('otlp', { DEBUG: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '20000' });
      expect(receiver.problems()).toEqual([]);
      const sockets = (logs: ReturnType<OtlpReceiver['logs']>) =>
        logs.filter((l) => l.eventName === 'socket_connection').sort((a, b) => a.spanId.localeCompare(b.spanId));
      const exported = sockets(receiver.logs());
      expect(exported.map((l) => [l.traceId, l.spanId])).toEqual(
        connections(events).map((e) => [e.trace_id, e.span_id]).sort((a, b) => a[1]!.localeCompare(b[1]!)),
      );
      expect(attr(exported.find((l) => attr(l.attributes, 'code.function.name') === row.talk)?.attributes, 'telemetry.bytes_received')).toBe(7);
      const sent = await cli(['export', file, '--endpoint', fromCli.url], { cwd: dir });
      expect(sent.code).toBe(0);
      const norm = (l: ReturnType<OtlpReceiver['logs']>[number]) => ({ ...l, attributes: [...l.attributes].sort((a, b) => a.key.localeCompare(b.key)) });
      expect(sockets(fromCli.logs()).map(norm)).toEqual(exported.map(norm));
    } finally {
      await receiver.close();
      await fromCli.close();
    }
  });

  it('writes nothing about sockets while telemetry is off, and prints the same', async () => {
    const { result, events } = await runWith('off', { DEBUG: 'false' });
    expect(result).toMatchObject({ code: 0, stdout: 'world!!\npage!\n', stderr: '' });
    expect(events).toEqual([]);
  });

  it('leaves sockets alone with TELEMETRY_SOCKETS=off, and records the calls as before', async () => {
    const { result, events } = await runWith('sockets-off', { DEBUG: 'true', TELEMETRY_SOCKETS: 'off' });
    expect(result.stdout).toBe('world!!\npage!\n');
    expect(events.some((e) => e.function_name === row.talk)).toBe(true);
    expect(connections(events)).toEqual([]);
  });
});
