// Bench (g): runtime cost per instrumented call, against an uninstrumented baseline measured in
// the same process, for Python, Node and Go, with telemetry off and on (events to a file). The
// entry/exit programs are instrumented by the real engine; the deep probes (variable, branch,
// loop tick, exception) are written by hand in the contract's forms (deep-probe-programs.ts).
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../server/src/engine/engine.js';
import type { LanguageId } from '../server/src/engine/types.js';
import { DEEP_KINDS, goDeepProgram, nodeDeepProgram, pythonDeepProgram, type DeepKind } from './deep-probe-programs.js';

export interface DeepCost {
  kind: DeepKind;
  /** Added by the probe per loop iteration, telemetry off. */
  offNs: number;
  /** The loop iteration without the probe, for scale. */
  baseNs: number;
}

export interface RuntimeCost {
  language: string;
  offNs: number;
  onNs: number;
  calls: number;
  /** Disabled cost of each deep probe kind. */
  deep: DeepCost[];
  /** Enabled cost of one variable_change event written to the file sink. */
  varEventNs: number;
  /** Enabled cost per call with OTLP export on (one span a call) to a loopback receiver, no JSONL. */
  otlpCallNs: number;
  /** Enabled cost per call (entry and exit events) with the file sink. */
  onCallNs: number;
  /** Go: allocations per call (testing.AllocsPerRun), telemetry off and on. */
  offAllocs?: number;
  onAllocs?: number;
}

interface Program {
  lang: LanguageId;
  file: string;
  runtimeImport: string;
  /** Source with a function `work` that the engine instruments, and `base`, an identical copy it ignores. */
  source: string;
  /** Prints the best of CALL_REPS timings of n calls of base and of work (Go: and work's allocations per call). */
  run: (dir: string, env: NodeJS.ProcessEnv, n: number) => string;
  /** Writes the deep-probe program into dir and returns how to run it with (iterations, reps, kinds). */
  deep: (dir: string, env: NodeJS.ProcessEnv) => (args: string[], env: NodeJS.ProcessEnv) => string;
}

// Calls per timing, telemetry off and on (every event written); each is the best of CALL_REPS.
const CALLS = { python: 50_000, javascript: 500_000, go: 500_000 };
const CALLS_ON = { python: 5_000, javascript: 20_000, go: 20_000 };
const CALL_REPS = 15;
// Loop iterations per timing of a deep probe (off), and of a variable event (on, every event written).
const DEEP_ITERATIONS = { python: 200_000, javascript: 5_000_000, go: 20_000_000 };
const EVENT_ITERATIONS = { python: 5_000, javascript: 10_000, go: 10_000 };
const REPS = 25;

const programs: Program[] = [
  {
    lang: 'python',
    file: 'bench_prog.py',
    runtimeImport: 'telemetry_runtime',
    source: `import sys, time

# telemetry: ignore
def base(a, b):
    return a + b

def work(a, b):
    return a + b

def timed(fn, n):
    start = time.perf_counter_ns()
    for i in range(n):
        fn(i, 1)
    return time.perf_counter_ns() - start

n, reps = int(sys.argv[1]), int(sys.argv[2])
timed(base, n // 10); timed(work, n // 10)
b, w = float("inf"), float("inf")
for _ in range(reps):
    b = min(b, timed(base, n)); w = min(w, timed(work, n))
print(b, w)
`,
    run: (dir, env, n) => execFileSync('python3', ['bench_prog.py', String(n), String(CALL_REPS)], { cwd: dir, env, encoding: 'utf8' }),
    deep: (dir) => {
      writeFileSync(join(dir, 'bench_deep.py'), pythonDeepProgram());
      return (args, env) => execFileSync('python3', ['bench_deep.py', ...args], { cwd: dir, env, encoding: 'utf8' });
    },
  },
  {
    lang: 'javascript',
    file: 'bench-prog.cjs',
    runtimeImport: './telemetry-runtime.cjs',
    source: `// telemetry: ignore
function base(a, b) {
  return a + b;
}

function work(a, b) {
  return a + b;
}

// telemetry: ignore
function timed(fn, n) {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) sink += fn(i, 1);
  const ns = Number(process.hrtime.bigint() - start);
  if (sink === -1) console.log(sink);
  return ns;
}

const n = Number(process.argv[2]);
const reps = Number(process.argv[3]);
for (let r = 0; r < 3; r++) { timed(base, n / 10); timed(work, n / 10); }
let b = Infinity, w = Infinity;
for (let r = 0; r < reps; r++) { b = Math.min(b, timed(base, n)); w = Math.min(w, timed(work, n)); }
console.log(b, w);
`,
    run: (dir, env, n) => execFileSync('node', ['bench-prog.cjs', String(n), String(CALL_REPS)], { cwd: dir, env, encoding: 'utf8' }),
    deep: (dir) => {
      writeFileSync(join(dir, 'bench-deep.cjs'), nodeDeepProgram());
      return (args, env) => execFileSync('node', ['bench-deep.cjs', ...args], { cwd: dir, env, encoding: 'utf8' });
    },
  },
  {
    lang: 'go',
    file: 'main.go',
    runtimeImport: 'example.com/bench/telemetry',
    source: `package main

import (
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"
)

//go:noinline
// telemetry: ignore
func base(a, b int) int {
	return a + b
}

//go:noinline
func work(a, b int) int {
	return a + b
}

// telemetry: ignore
func timed(fn func(int, int) int, n int) int64 {
	sink := 0
	start := time.Now()
	for i := 0; i < n; i++ {
		sink += fn(i, 1)
	}
	if sink == -1 {
		fmt.Println(sink)
	}
	return time.Since(start).Nanoseconds()
}

// telemetry: ignore
func main() {
	n, _ := strconv.Atoi(os.Args[1])
	reps, _ := strconv.Atoi(os.Args[2])
	timed(base, n/10)
	timed(work, n/10)
	b, w := int64(1<<62), int64(1<<62)
	for r := 0; r < reps; r++ {
		b = min64(b, timed(base, n))
		w = min64(w, timed(work, n))
	}
	allocs := testing.AllocsPerRun(1000, func() { work(1, 2) })
	fmt.Println(b, w, allocs)
}

// telemetry: ignore
func min64(a, b int64) int64 {
	if a < b {
		return a
	}
	return b
}
`,
    run: (dir, env, n) => {
      execFileSync('go', ['build', '-o', 'prog', '.'], { cwd: dir, env: { ...env, GOFLAGS: '-mod=mod', GOPROXY: 'off' } });
      return execFileSync('./prog', [String(n), String(CALL_REPS)], { cwd: dir, env, encoding: 'utf8' });
    },
    deep: (dir, env) => {
      mkdirSync(join(dir, 'deep'), { recursive: true });
      writeFileSync(join(dir, 'deep', 'main.go'), goDeepProgram('example.com/bench/telemetry'));
      execFileSync('go', ['build', '-o', 'deep-prog', './deep'], { cwd: dir, env: { ...env, GOFLAGS: '-mod=mod', GOPROXY: 'off' } });
      return (args, runEnv) => execFileSync('./deep-prog', args, { cwd: dir, env: runEnv, encoding: 'utf8' });
    },
  },
];

export async function measureRuntimeCost(engine: Engine): Promise<RuntimeCost[]> {
  const out: RuntimeCost[] = [];
  const receiver = await startReceiver();
  for (const p of programs) {
    await engine.ready(p.lang);
    const dir = mkdtempSync(join(tmpdir(), `bench-${p.lang}-`));
    const added = engine.add(p.lang, p.source, { relPath: p.file, runtimeImport: p.runtimeImport });
    if (!added.added.includes('work')) throw new Error(`bench: ${p.lang} work() was not instrumented`);
    writeFileSync(join(dir, p.file), added.text);
    for (const f of engine.runtimeFiles(p.lang)) {
      mkdirSync(join(dir, f.fileName, '..'), { recursive: true });
      writeFileSync(join(dir, f.fileName), f.content);
    }
    if (p.lang === 'go') writeFileSync(join(dir, 'go.mod'), 'module example.com/bench\n\ngo 1.21\n');
    const calls = CALLS[p.lang as keyof typeof CALLS];
    const callsOn = CALLS_ON[p.lang as keyof typeof CALLS_ON];
    let allocs: number[] = [];
    const cost = (env: NodeJS.ProcessEnv, n: number) => {
      const [base, work, perCall] = p.run(dir, env, n).trim().split(/\s+/).map(Number);
      if (perCall !== undefined) allocs.push(perCall);
      return (work - base) / n;
    };
    const clean = { ...process.env, DEBUG: '', TELEMETRY_ENABLED: 'false', GOCACHE: join(tmpdir(), 'bench-gocache') };
    const offNs = cost(clean, calls);
    // Sampling off: the cost of writing every event, as before sampling existed.
    const onNs = cost({ ...clean, TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', TELEMETRY_FILE: join(dir, 'events.jsonl') }, callsOn);
    const otlpCallNs = cost({ ...clean, TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url }, callsOn);
    const [offAllocs, onAllocs] = allocs;
    allocs = [];
    const lang = p.lang as keyof typeof DEEP_ITERATIONS;
    const runDeep = p.deep(dir, clean);
    const timings = (n: number, kinds: readonly string[], env: NodeJS.ProcessEnv) =>
      JSON.parse(runDeep([String(n), String(REPS), kinds.join(',')], env)) as Record<string, [number, number]>;
    const off = timings(DEEP_ITERATIONS[lang], DEEP_KINDS, clean);
    const deep = DEEP_KINDS.map((kind) => {
      const [base, probe] = off[kind];
      const n = DEEP_ITERATIONS[lang];
      return { kind, offNs: (probe - base) / n, baseNs: base / n };
    });
    // Every event recorded: outside an open loop nothing is sampled, and loops are not probed here.
    const events = join(dir, 'deep-events.jsonl');
    const on = timings(EVENT_ITERATIONS[lang], ['variable'], { ...clean, TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', TELEMETRY_FILE: events });
    rmSync(events, { force: true });
    const varEventNs = (on.variable[1] - on.variable[0]) / EVENT_ITERATIONS[lang];
    out.push({ language: p.lang === 'javascript' ? 'node' : p.lang, offNs, onNs: onNs / 2, onCallNs: onNs, calls, deep, varEventNs, otlpCallNs, offAllocs, onAllocs });
  }
  receiver.stop();
  return out;
}

/**
 * An OTLP receiver in a process of its own (the bench runs programs synchronously, so this
 * process could not answer): it accepts every request with 200 and `{}`.
 */
async function startReceiver(): Promise<{ url: string; stop: () => void }> {
  const source =
    "require('node:http').createServer((q, r) => { q.resume(); q.on('end', () => r.end('{}')); })" +
    ".listen(0, '127.0.0.1', function () { console.log(this.address().port); });";
  const child = spawn(process.execPath, ['-e', source], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve) => child.stdout!.once('data', (d) => resolve(String(d).trim())));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
