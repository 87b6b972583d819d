// Bench (g): runtime cost per instrumented call, against an uninstrumented baseline measured in
// the same process, for Python, Node and Go, with telemetry off and on (events to a file).
// Programs are instrumented by the real engine; nothing here is hand-written probe code.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Engine } from '../server/src/engine/engine.js';
import type { LanguageId } from '../server/src/engine/types.js';

export interface RuntimeCost {
  language: string;
  offNs: number;
  onNs: number;
  calls: number;
}

interface Program {
  lang: LanguageId;
  file: string;
  runtimeImport: string;
  /** Source with a function `work` that the engine instruments, and `base`, an identical copy it ignores. */
  source: string;
  run: (dir: string, env: NodeJS.ProcessEnv) => string;
}

const CALLS = { python: 300_000, javascript: 3_000_000, go: 3_000_000 };

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

n = int(sys.argv[1])
timed(base, n // 10); timed(work, n // 10)
print(timed(base, n), timed(work, n))
`,
    run: (dir, env) => execFileSync('python3', ['bench_prog.py', String(CALLS.python)], { cwd: dir, env, encoding: 'utf8' }),
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
for (let r = 0; r < 3; r++) { timed(base, n / 10); timed(work, n / 10); }
console.log(timed(base, n), timed(work, n));
`,
    run: (dir, env) => execFileSync('node', ['bench-prog.cjs', String(CALLS.javascript)], { cwd: dir, env, encoding: 'utf8' }),
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
	timed(base, n/10)
	timed(work, n/10)
	fmt.Println(timed(base, n), timed(work, n))
}
`,
    run: (dir, env) => {
      execFileSync('go', ['build', '-o', 'prog', '.'], { cwd: dir, env: { ...env, GOFLAGS: '-mod=mod', GOPROXY: 'off' } });
      return execFileSync('./prog', [String(CALLS.go)], { cwd: dir, env, encoding: 'utf8' });
    },
  },
];

export async function measureRuntimeCost(engine: Engine): Promise<RuntimeCost[]> {
  const out: RuntimeCost[] = [];
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
    if (p.lang === 'go') writeFileSync(join(dir, 'go.mod'), 'module example.com/bench\n\ngo 1.19\n');
    const calls = CALLS[p.lang as keyof typeof CALLS];
    const cost = (env: NodeJS.ProcessEnv) => {
      const [base, work] = p.run(dir, env).trim().split(/\s+/).map(Number);
      return (work - base) / calls;
    };
    const clean = { ...process.env, DEBUG: '', TELEMETRY_ENABLED: 'false', GOCACHE: join(tmpdir(), 'bench-gocache') };
    const offNs = cost(clean);
    const onNs = cost({ ...clean, TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: join(dir, 'events.jsonl') });
    out.push({ language: p.lang === 'javascript' ? 'node' : p.lang, offNs, onNs: onNs / 2, calls });
  }
  return out;
}
