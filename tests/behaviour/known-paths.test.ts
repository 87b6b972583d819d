// Exact events on programs whose paths are known (fixtures/behaviour): loop exits count the
// iterations that actually ran (with break, continue, labelled break, return and throw inside the
// loop, and generators suspended inside one), branch events follow the path taken (elif, else,
// switch fall-through, match, type switch, select), caught exceptions are reported, sampling in
// hot loops counts what it drops, and redacted names are never previewed. Each program runs plain,
// instrumented with telemetry off, and on; it must print the same thing every time.
// A kind the engine did not emit (found in the instrumented text) is left out of the comparison.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { checkEventFile, describeSummary, expectNoEvents, expectWellFormed, type Frame, type RuntimeLanguage, type TelemetryEvent } from './events.js';
import { cleanEnv, log, probeKindsIn, removeScratch, repoRoot, run, scratchDir, writeRuntimeInto } from './harness.js';

type Kind = 'branch' | 'loop' | 'exception';
/** Per call, in call order: its loop, branch and exception events as `loop for`, `end for 6`, `if`, `except boom`. */
type Expected = Record<string, string[][]>;

const CLAUSES = new Set(['except', 'catch', 'finally', 'error', 'panic']);
const kindOf = (step: string): Kind =>
  step.startsWith('loop ') || step.startsWith('end ') ? 'loop' : CLAUSES.has(step.split(' ')[0]) ? 'exception' : 'branch';

function step(e: TelemetryEvent): string | undefined {
  if (e.event_type === 'loop_entry') return `loop ${e.loop}`;
  if (e.event_type === 'loop_exit') return `end ${e.loop} ${e.iterations}`;
  if (e.event_type === 'branch') return e.branch;
  if (e.event_type === 'exception') return `${e.clause} ${e.error ? e.error.message : '-'}`;
  return undefined;
}

const PYTHON: Expected = {
  loops: [['loop for', 'if', 'if', 'end for 6', 'loop while', 'end while 3', 'loop for', 'end for 0']],
  branches: [['if'], ['elif'], ['else']],
  matcher: [['case'], ['case'], ['case']],
  raiser: [['if', 'except boom', 'finally -'], ['finally -']],
  nested: [['loop for', 'loop for', 'end for 4', 'loop for', 'end for 4', 'loop for', 'end for 4', 'end for 3']],
  // return inside the loop: the function's exit closes it.
  early: [['loop for', 'if', 'end for 2']],
  thrower: [['loop for', 'end for 1']],
  // A generator's loop stays open across yields; close() ends it after two turns.
  countdown: [['loop while', 'end while 3'], ['loop while', 'end while 2']],
};

const JAVASCRIPT: Expected = {
  loops: [['loop for', 'if', 'if', 'end for 6', 'loop while', 'end while 3', 'loop for-of', 'end for-of 0', 'loop do', 'end do 2', 'loop for-in', 'end for-in 2']],
  // `else if` is an if inside the else.
  branches: [['if'], ['if'], ['else']],
  // Fall-through runs both case bodies.
  fallthrough: [['case', 'case'], ['default']],
  raiser: [['if', 'catch boom', 'finally -'], ['finally -']],
  unbound: [['catch -']],
  // break outer skips the inner loop's done(): the outer one closes both, innermost first.
  nested: [['loop for', 'loop for', 'end for 4', 'loop for', 'end for 4', 'loop for', 'if', 'end for 2', 'end for 3']],
  early: [['loop for-of', 'if', 'end for-of 2']],
  thrower: [['loop for-of', 'end for-of 1']],
  countdown: [['loop while', 'end while 3'], ['loop while', 'end while 2']],
};

const GO: Expected = {
  Loops: [['loop for', 'if', 'if', 'end for 6', 'loop for', 'end for 3', 'loop for', 'end for 0']],
  Branches: [['if'], ['if'], ['else']],
  Fallthrough: [['case', 'case'], ['default']],
  Kind: [['type-case'], ['type-case'], ['default']],
  Select: [['select-case']],
  check: [['if'], []],
  Checked: [['if', 'error odd'], []],
  Nested: [['loop for', 'loop for', 'end for 4', 'loop for', 'end for 4', 'loop for', 'if', 'end for 2', 'end for 3']],
  Early: [['loop for', 'if', 'end for 2']],
  // The deferred exit closes the loop and reports the panic (their order is not the contract's).
  Explode: [['end for 1', 'loop for', 'panic boom k']],
};
const UNORDERED = new Set(['Explode']);

interface Program {
  lang: LanguageId;
  runtime: RuntimeLanguage;
  expected: Expected;
  sampled: string;
  assign: string;
  /** Prepares a scratch folder; returns how to run the plain and the instrumented program. */
  setup(engine: Engine, dir: string): Promise<{ plain: string[]; instrumented: string[]; text: string }>;
}

const GO_ENV = {
  GOCACHE: join(tmpdir(), 'telemetry-behaviour-gocache'),
  GOFLAGS: '-mod=mod',
  GOPROXY: 'off',
  GOWORK: 'off',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
};

function instrument(engine: Engine, lang: LanguageId, source: string, dest: string, relPath: string, runtimeImport: string): string {
  const result = engine.add(lang, readFileSync(source, 'utf8'), { relPath, runtimeImport });
  expect(result.skipped, relPath).toEqual([]);
  expect(result.needsLlm, relPath).toEqual([]);
  writeFileSync(dest, result.text);
  return result.text;
}

const PROGRAMS: Program[] = [
  {
    lang: 'python',
    runtime: 'python',
    expected: PYTHON,
    sampled: 'sampled',
    assign: 'assign',
    async setup(engine, dir) {
      await engine.ready('python');
      const source = join(repoRoot, 'fixtures/behaviour/paths.py');
      const text = instrument(engine, 'python', source, join(dir, 'paths.py'), 'paths.py', 'telemetry_runtime');
      writeRuntimeInto(engine, 'python', dir);
      return { plain: ['python3', source], instrumented: ['python3', join(dir, 'paths.py')], text };
    },
  },
  {
    lang: 'javascript',
    runtime: 'javascript',
    expected: JAVASCRIPT,
    sampled: 'sampled',
    assign: 'assign',
    async setup(engine, dir) {
      await engine.ready('javascript');
      const source = join(repoRoot, 'fixtures/behaviour/paths.cjs');
      const text = instrument(engine, 'javascript', source, join(dir, 'paths.cjs'), 'paths.cjs', './telemetry-runtime.cjs');
      writeRuntimeInto(engine, 'javascript', dir);
      return { plain: [process.execPath, source], instrumented: [process.execPath, join(dir, 'paths.cjs')], text };
    },
  },
  {
    lang: 'go',
    runtime: 'go',
    expected: GO,
    sampled: 'Sampled',
    assign: 'Assign',
    async setup(engine, dir) {
      await engine.ready('go');
      const source = join(repoRoot, 'fixtures/behaviour/go');
      mkdirSync(join(dir, 'plain'));
      for (const name of ['go.mod', 'main.go']) copyFileSync(join(source, name), join(dir, 'plain', name));
      copyFileSync(join(source, 'go.mod'), join(dir, 'go.mod'));
      const text = instrument(engine, 'go', join(source, 'main.go'), join(dir, 'main.go'), 'main.go', 'example.com/paths/telemetry');
      writeRuntimeInto(engine, 'go', dir);
      const env = cleanEnv(GO_ENV);
      execFileSync('go', ['build', '-o', join(dir, 'prog'), '.'], { cwd: dir, env, stdio: 'pipe' });
      execFileSync('go', ['build', '-o', join(dir, 'plain', 'prog'), '.'], { cwd: join(dir, 'plain'), env, stdio: 'pipe' });
      return { plain: [join(dir, 'plain', 'prog')], instrumented: [join(dir, 'prog')], text };
    },
  },
];

const callsOf = (frames: Frame[], name: string) => frames.filter((f) => f.entry.function_name === name);

describe.each(PROGRAMS)('$lang program with known paths', (program) => {
  let dir: string | undefined;
  afterAll(() => removeScratch(dir));

  it('prints the same with telemetry off and on, writes nothing when off, and the exact events of its path when on', async () => {
    dir = scratchDir(`paths-${program.lang}`);
    const engine = await Engine.create();
    const { plain, instrumented, text } = await program.setup(engine, dir);
    const kinds = probeKindsIn(text);
    const exec = (argv: string[], env: Record<string, string>, args: string[] = []) =>
      run(argv[0], [...argv.slice(1), ...args], { cwd: dir, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1', ...env }) });
    const files = { off: join(dir, 'off.jsonl'), on: join(dir, 'on.jsonl'), all: join(dir, 'all.jsonl') };
    const original = await exec(plain, {});
    const off = await exec(instrumented, { DEBUG: 'true', TELEMETRY_ENABLED: 'false', TELEMETRY_FILE: files.off });
    const on = await exec(instrumented, { TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: files.on });
    const all = await exec(instrumented, { TELEMETRY_ENABLED: 'true', TELEMETRY_LOOP_EVENTS: 'all', TELEMETRY_FILE: files.all });
    expect(original, original.stderr).toMatchObject({ code: 0, stderr: '' });
    for (const r of [off, on, all]) expect(r).toMatchObject({ code: 0, stdout: original.stdout, stderr: '' });
    expectNoEvents(files.off, `${program.lang}, telemetry off`);

    const summary = await checkEventFile(files.on, program.runtime, { keepFrames: true });
    log(`paths ${program.lang}: ${describeSummary(summary)}; probe kinds: ${[...kinds].join(', ') || 'none'}`);
    expectWellFormed(summary, `${program.lang} paths`);
    const frames = summary.frames!;
    let compared = 0;
    for (const [name, calls] of Object.entries(program.expected)) {
      const found = callsOf(frames, name);
      expect(found.length, `calls of ${name}`).toBe(calls.length);
      calls.forEach((expected, i) => {
        const want = expected.filter((s) => kinds.has(kindOf(s)));
        const got = found[i].inner.map(step).filter((s): s is string => s !== undefined);
        if (UNORDERED.has(name)) expect([...got].sort(), `${name} call ${i + 1}`).toEqual([...want].sort());
        else expect(got, `${name} call ${i + 1}`).toEqual(want);
        compared += want.length;
      });
    }

    // Sampling: with 100 turns, branch and variable events are kept for turns 1-16, 32 and 64, and
    // the loop's exit counts the others; TELEMETRY_LOOP_EVENTS=all keeps every one.
    const [sampled] = callsOf(frames, program.sampled);
    const full = await checkEventFile(files.all, program.runtime, { keepFrames: true });
    expectWellFormed(full, `${program.lang} paths, TELEMETRY_LOOP_EVENTS=all`);
    const [unsampled] = callsOf(full.frames!, program.sampled);
    if (kinds.has('loop') && kinds.has('branch')) {
      const exit = sampled.inner.find((e) => e.event_type === 'loop_exit')!;
      expect(exit).toMatchObject({ iterations: 100 });
      const ifs = sampled.inner.filter((e) => e.event_type === 'branch');
      expect(ifs, 'branch events kept in a 100-turn loop').toHaveLength(18);
      const inLoop = sampled.inner.slice(sampled.inner.findIndex((e) => e.event_type === 'loop_entry'), sampled.inner.indexOf(exit));
      const kept = inLoop.filter((e) => e.event_type === 'branch' || e.event_type === 'variable_change').length;
      expect(kept % 18, 'the same events in every kept turn').toBe(0);
      expect(exit.suppressed, 'suppressed counts every dropped event').toBe((kept / 18) * (100 - 18));
      expect(unsampled.inner.filter((e) => e.event_type === 'branch')).toHaveLength(100);
      expect(unsampled.inner.find((e) => e.event_type === 'loop_exit')).toMatchObject({ iterations: 100, suppressed: 0 });
      compared += 4;
    }

    // Variables: each assignment once, in order, the secret redacted.
    if (kinds.has('variable')) {
      const [assign] = callsOf(frames, program.assign);
      const vars = assign.inner
        .filter((e) => e.event_type === 'variable_change')
        .map((e) => `${e.variable}=${e.redacted ? '<redacted>' : e.value}`);
      expect(vars).toEqual(['a=1', 'b=2', 'c=3', 'a=6', 'password=<redacted>']);
      expect(readFileSync(files.on, 'utf8')).not.toContain('hunter2');
      compared += vars.length;
    }
    log(`paths ${program.lang}: ${compared} expected events compared exactly`);
  }, 180_000);
});
