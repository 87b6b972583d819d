// Behaviour unchanged on real code, JavaScript: piscina (a worker-thread pool, already in
// node_modules because the server uses it) ships its own node:test suite. Every .js and .mjs of
// the package is instrumented in a scratch copy, with the runtime at the package root, and the
// suite runs against the copy with telemetry off and on: the main thread and every worker thread
// write into one file. Both runs must pass; off must write nothing; on must be well-formed.
import { cpSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { checkEventFile, describeSummary, expectNoEvents, expectWellFormed } from './events.js';
import {
  cleanEnv,
  instrumentAll,
  log,
  probeKindsIn,
  relativeSpecifier,
  removeScratch,
  repoRoot,
  run,
  scratchDir,
  seconds,
  writeRuntimeInto,
  type RunResult,
} from './harness.js';

const PACKAGE = 'piscina';
// Its test files that run offline, deterministically and quickly here. Left out, and why:
// console-log needs concat-stream (not installed); test-is-buffer-transferred and
// test-uncaught-exception-from-handler race a 5 ms timer in a worker against 10 ms in the main
// thread and flake under load (seen with and without telemetry), as task-queue's "tasks can share
// a Worker if requested (one test finishes)" races a 5 ms task against destroy() (it failed once in
// CI with telemetry on: "Unexpected message from Worker"); histogram, thread-count,
// idle-timeout and atomics-optimization spend 4-9 s each waiting on idle timers.
const TEST_FILES = ['abort-task', 'async-context', 'fixed-queue', 'generics', 'issue-513', 'load-with-esm', 'messages']
  .concat(['move-test', 'nice', 'option-validation', 'pool-close', 'pool-destroy', 'pool', 'post-task', 'simple-test'])
  .concat(['test-resourcelimits', 'workers'])
  .map((name) => `test/${name}.test.ts`);
const HOOK = join(repoRoot, 'tests/behaviour/ts-require-hook.cjs');
// Calls that never return, so they have no exit: dist/worker.js runs only in worker threads, which
// piscina parks in Atomics.wait() (atomicsWaitLoop, called from its message handlers) and
// terminates wherever they are, even inside an await (getHandler); close() races the pool against
// an unref'd timer whose async function never resumes.
const NEVER_RETURN = [/ dist\/worker\.js:\d+$/, /^ThreadPool\.close\.throwOnTimeOut dist\/index\.js:/];

interface TapSummary {
  tests: number;
  pass: number;
  fail: number;
  cancelled: number;
  skipped: number;
}

function tap(result: RunResult): TapSummary {
  const field = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(result.stdout)?.[1] ?? -1);
  return { tests: field('tests'), pass: field('pass'), fail: field('fail'), cancelled: field('cancelled'), skipped: field('skipped') };
}

function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

describe(`${PACKAGE}, instrumented in full, under its own test suite`, () => {
  let dir: string;
  let pkg: string;
  let off: RunResult;
  let on: RunResult;
  let functions = 0;
  let eligible = 0;
  let files = 0;
  let kinds = new Set<string>();
  const offFile = () => join(dir, 'off.jsonl');
  const onFile = () => join(dir, 'on.jsonl');

  beforeAll(async () => {
    const started = performance.now();
    dir = scratchDir('js');
    pkg = join(dir, 'node_modules', PACKAGE);
    cpSync(join(repoRoot, 'node_modules', PACKAGE), pkg, { recursive: true, dereference: true });
    // Its optional dependency, which nice.test.ts loads.
    symlinkSync(join(repoRoot, 'node_modules', '@napi-rs'), join(dir, 'node_modules', '@napi-rs'));
    const engine = await Engine.create();
    const runtime = join(pkg, 'telemetry-runtime.cjs');
    writeRuntimeInto(engine, 'javascript', pkg);
    const sources = walk(join(pkg, 'dist')).filter((p) => /\.(c|m)?js$/.test(p));
    const counts = await instrumentAll(
      engine,
      sources.map((source) => ({
        lang: 'javascript' as const,
        source,
        dest: source,
        relPath: relative(pkg, source),
        runtimeImport: relativeSpecifier(source, runtime),
        esm: source.endsWith('.mjs') ? true : undefined,
      })),
      true,
    );
    expect(counts.skipped).toEqual([]);
    files = counts.files;
    functions = counts.functions;
    eligible = counts.eligible;
    for (const text of counts.texts.values()) for (const k of probeKindsIn(text)) kinds.add(k);
    const nodeTest = (env: Record<string, string>) =>
      run(process.execPath, ['--require', HOOK, '--test', '--test-reporter=tap', '--test-concurrency=2', ...TEST_FILES], {
        cwd: pkg,
        env: cleanEnv(env),
      });
    // DEBUG=true with TELEMETRY_ENABLED=false: the explicit switch must win.
    off = await nodeTest({ DEBUG: 'true', TELEMETRY_ENABLED: 'false', TELEMETRY_FILE: offFile() });
    const offSeconds = seconds(started);
    const onStarted = performance.now();
    on = await nodeTest({ TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: onFile() });
    const [a, b] = [tap(off), tap(on)];
    log(
      `js: ${PACKAGE} ${files} files, ${functions} functions instrumented; ${TEST_FILES.length} test files; ` +
        `off: ${a.tests} tests, ${a.pass} passed, ${a.fail} failed (${offSeconds} s); ` +
        `on: ${b.tests} tests, ${b.pass} passed, ${b.fail} failed (${seconds(onStarted)} s)`,
    );
    log(`js: probe kinds beyond entry/exit: ${kinds.size ? [...kinds].join(', ') : 'none'}`);
  }, 900_000);
  afterAll(() => removeScratch(dir));

  it('instruments every function of every .js and .mjs in the package', () => {
    expect(functions).toBe(eligible);
    expect(functions).toBeGreaterThan(150);
    expect(readFileSync(join(pkg, 'dist/main.js'), 'utf8')).toContain('const _tm = require("../telemetry-runtime.cjs");');
  });

  it('passes its own tests with telemetry off and on, the same tests both times', () => {
    for (const [mode, result] of [['off', off], ['on', on]] as const) {
      const summary = tap(result);
      const failing = result.stdout.split('\n').filter((l) => /^\s*not ok /.test(l));
      expect({ code: result.code, failing }, `${mode}:\n${result.stdout.slice(-3000)}\n${result.stderr.slice(-2000)}`).toEqual({ code: 0, failing: [] });
      expect(summary.fail, mode).toBe(0);
      expect(summary.cancelled, mode).toBe(0);
      expect(summary.pass, mode).toBeGreaterThan(100);
    }
    expect(tap(on)).toEqual(tap(off));
  });

  it('writes no event at all while telemetry is off, even with DEBUG=true', () => {
    expectNoEvents(offFile(), `${PACKAGE}, telemetry off`);
  });

  it('writes a well-formed stream from the main thread and every worker when on', async () => {
    const summary = await checkEventFile(onFile(), 'javascript');
    log(`js events: ${describeSummary(summary)}`);
    for (const [where, count] of summary.open) log(`js: ${count} call(s) of ${where} still running when their thread ended`);
    expectWellFormed(summary, `${PACKAGE}, telemetry on`, (where) => NEVER_RETURN.some((re) => re.test(where)));
    expect(summary.byFile.get('dist/worker.js') ?? 0, 'events from the worker threads').toBeGreaterThan(0);
  }, 300_000);
});
