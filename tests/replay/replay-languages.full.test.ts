// Replay end to end in each language: a fixture program (fixtures/replay/) is instrumented by the
// real CLI, run with events on, put back as written, and `replay` turns its events into tests. The
// generated tests pass against the code they were captured from, and fail once one constant of a
// captured function changes. Real python3 (pytest), node (node:test) and go (go test).
// Full tier: it runs three toolchains and compiles a Go test binary.
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, repoRoot } from '../cli/helpers.js';
import { run } from '../runtime/helpers.js';

const scratch: string[] = [];
// A live loopback server the generated tests must not reach.
let connections = 0;
const listener = net.createServer((socket) => {
  connections++;
  socket.destroy();
});
let port = 0;
beforeAll(async () => {
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  port = (listener.address() as net.AddressInfo).port;
});
afterAll(async () => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
  await new Promise((resolve) => listener.close(resolve));
});

interface Case {
  lang: 'python' | 'javascript' | 'go';
  source: string;
  run: string[];
  test: (dir: string, out: string) => string[];
  /** The constant a mutation changes, as written and as changed. */
  constant: [string, string];
  out: (dir: string) => string;
  skipped: Record<string, number>;
  /** A test appended to the generated file: under its guard, reaching a live loopback server fails. */
  probe: (port: number) => string;
}

/** pytest from the machine, or from the cache folder .ci/run installs it into. */
const pytestPath = path.join(os.homedir(), '.cache/telemetry-injector/pytest-9.2.0');

const cases: Case[] = [
  {
    lang: 'python',
    source: 'pricing.py',
    run: ['python3', 'pricing.py'],
    test: (_dir, out) => ['python3', '-m', 'pytest', '-q', '-p', 'no:cacheprovider', out],
    constant: ['RATE = 20', 'RATE = 21'],
    out: (dir) => path.join(dir, 'replayed'),
    // Cart.total; check(password); banner(300); main.
    skipped: { 'method or nested function': 1, 'redacted value': 1, 'truncated value': 1, 'no arguments': 1 },
    probe: (port) =>
      `\n\ndef test_the_network_is_blocked():\n    with pytest.raises(OSError, match="blocked"):\n        socket.create_connection(("127.0.0.1", ${port}), timeout=5)\n`,
  },
  {
    lang: 'javascript',
    source: 'pricing.mjs',
    run: ['node', 'pricing.mjs', 'run'],
    test: (_dir, out) => ['node', '--test', out],
    constant: ['RATE = 20', 'RATE = 21'],
    out: (dir) => path.join(dir, 'replayed'),
    skipped: { 'method or nested function': 1, 'redacted value': 1, 'truncated value': 1, 'no arguments': 1, 'not reachable from a test': 1 },
    probe: (port) => `\ntest('the network is blocked', () => {\n  assert.throws(() => net.connect(${port}, '127.0.0.1'), /blocked/);\n});\n`,
  },
  {
    lang: 'go',
    source: 'main.go',
    run: ['go', 'run', '.'],
    test: () => ['go', 'test', '-count=1', '.'],
    constant: ['const offset = 0', 'const offset = 2'],
    // In the package: Go's table test must sit beside the code it calls.
    out: (dir) => dir,
    // Point.Double and main's two closures; Norm(Point{3, 4}); main itself.
    skipped: { 'method or nested function': 3, 'not a literal': 1, 'not reachable from a test': 1 },
    // Go refuses name resolution (a dial to an address cannot be intercepted without net/http).
    probe: () =>
      '\nfunc TestReplayNetworkIsBlocked(t *testing.T) {\n\tif _, err := net.DefaultResolver.LookupHost(context.Background(), "replay.example.com"); err == nil || !strings.Contains(err.Error(), "blocked") {\n\t\tt.Fatalf("resolution was not refused: %v", err)\n\t}\n}\n',
  },
];

/**
 * Runs a program to its end without blocking this thread (not spawnSync): a `go test` that compiles
 * on a loaded machine takes long enough to make vitest's worker RPC time out, and the loopback
 * server above can only count a connection while the event loop turns.
 */
async function exec(argv: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; output: string }> {
  const result = await run(argv[0]!, argv.slice(1), {
    cwd,
    timeout: 240_000,
    killSignal: 'SIGKILL',
    env: { ...process.env, PYTHONPATH: [pytestPath, process.env.PYTHONPATH].filter(Boolean).join(path.delimiter), ...env },
  });
  return { code: result.code, output: `${result.stdout}\n${result.stderr}` };
}

describe.each(cases)('replay for $lang', (c) => {
  it('writes tests that pass on the captured code with the network blocked, and fail once a captured constant changes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), `telemetry-replay-${c.lang}-`));
    scratch.push(dir);
    fs.cpSync(path.join(repoRoot, 'fixtures/replay', c.lang), dir, { recursive: true });
    const original = fs.readFileSync(path.join(dir, c.source), 'utf8');

    const injected = await cli(['inject', c.source], { cwd: dir });
    expect(injected.code, injected.stderr).toBe(0);
    const ran = await exec(c.run, dir, { DEBUG: 'true', TELEMETRY_FILE: path.join(dir, 'events.jsonl') });
    expect(ran.code, ran.output).toBe(0);
    // The tests run against the code as written; the runtime module may stay.
    fs.writeFileSync(path.join(dir, c.source), original);

    const out = c.out(dir);
    const replayed = await cli(['replay', 'events.jsonl', '--out', out, '--lang', c.lang, '--format', 'json'], { cwd: dir });
    expect(replayed.code, replayed.stderr).toBe(0);
    const result = JSON.parse(replayed.stdout) as { cases: number; functions: number; duplicates: number; skipped: Record<string, number>; files: { path: string }[] };
    expect(result.files).toHaveLength(1);
    expect(result.cases).toBeGreaterThanOrEqual(4);
    expect(result.skipped).toEqual(c.skipped);
    // with_tax(100) twice from main and once more from Cart.total.
    if (c.lang !== 'go') expect(result.duplicates).toBe(2);

    const generated = path.join(out, result.files[0]!.path);
    fs.appendFileSync(generated, c.probe(port));
    const pass = await exec(c.test(dir, out), dir);
    expect(pass.code, pass.output).toBe(0);
    expect(connections, 'a replayed test reached the loopback server').toBe(0);

    fs.writeFileSync(path.join(dir, c.source), original.replace(c.constant[0], c.constant[1]));
    const fail = await exec(c.test(dir, out), dir);
    expect(fail.code, fail.output).not.toBe(0);
  }, 300_000);
});
