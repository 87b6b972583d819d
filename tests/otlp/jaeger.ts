// A real Jaeger v2 for the full tier: built from Go modules once per machine and version by
// build-jaeger.sh (`go install` refuses Jaeger's replace directives) and cached outside the
// repository, then started on free loopback ports with in-memory storage. Traces are read back through /api/v3/traces/{id}.
// Must never touch a Jaeger it did not start.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, run } from '../runtime/helpers.js';

export const JAEGER_VERSION = 'v1.75.0';

/** Where the built binary is kept between runs: outside the repository, keyed by version. */
export const jaegerHome = () => join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'telemetry-injector', `jaeger-${JAEGER_VERSION}`);

/** The cached binary, built first when it is missing by tests/otlp/build-jaeger.sh (minutes: Jaeger and the collector are large). */
export async function jaegerBinary(log: (line: string) => void): Promise<string> {
  const binary = join(jaegerHome(), 'jaeger');
  if (existsSync(binary)) return binary;
  const since = performance.now();
  const built = await run('bash', [join(repoRoot, 'tests/otlp/build-jaeger.sh')], { cwd: repoRoot, env: process.env });
  if (built.code !== 0 || !existsSync(binary)) throw new Error(`tests/otlp/build-jaeger.sh failed:\n${built.stderr.slice(-3000)}`);
  log(`jaeger ${JAEGER_VERSION} built in ${((performance.now() - since) / 1000).toFixed(0)} s into ${binary}`);
  return binary;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface Jaeger {
  /** OTLP/HTTP base URL (…/v1/traces). */
  otlp: string;
  /** Query base URL (…/api/v3/traces/{id}). */
  query: string;
  stop(): Promise<void>;
  output(): string;
}

/** Starts the binary with memory storage on free loopback ports; resolves once its query API answers. */
export async function startJaeger(binary: string, dir: string): Promise<Jaeger> {
  const [otlpPort, grpcPort, queryPort, queryGrpc, health] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const config = join(dir, 'jaeger.yaml');
  writeFileSync(
    config,
    `service:
  extensions: [jaeger_storage, jaeger_query, healthcheckv2]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch]
      exporters: [jaeger_storage_exporter]
  telemetry:
    metrics:
      level: none
extensions:
  healthcheckv2:
    use_v2: true
    http:
      endpoint: 127.0.0.1:${health}
  jaeger_query:
    storage:
      traces: memstore
    http:
      endpoint: 127.0.0.1:${queryPort}
    grpc:
      endpoint: 127.0.0.1:${queryGrpc}
  jaeger_storage:
    backends:
      memstore:
        memory:
          max_traces: 100000
receivers:
  otlp:
    protocols:
      http:
        endpoint: 127.0.0.1:${otlpPort}
      grpc:
        endpoint: 127.0.0.1:${grpcPort}
processors:
  batch:
    timeout: 100ms
exporters:
  jaeger_storage_exporter:
    trace_storage: memstore
`,
  );
  let output = '';
  const child: ChildProcess = spawn(binary, ['--config', config], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const query = `http://127.0.0.1:${queryPort}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jaeger exited ${child.exitCode}:\n${output.slice(-3000)}`);
    try {
      const r = await fetch(`${query}/api/v3/services`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`jaeger did not answer on ${query}:\n${output.slice(-3000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    otlp: `http://127.0.0.1:${otlpPort}`,
    query,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
