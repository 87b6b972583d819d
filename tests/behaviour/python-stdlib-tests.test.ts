// Behaviour unchanged on real code, Python: modules of the standard library are instrumented in
// full into a scratch folder placed first on sys.path (PYTHONPATH), with the runtime beside them,
// and the installed `test` package runs their own tests against the copies with telemetry off and
// on. The copy is asserted to be what gets imported. Both runs must pass, the run with telemetry
// off must write nothing, and the run with it on must write a well-formed stream.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { checkEventFile, describeSummary, expectNoEvents, expectWellFormed, type StreamSummary } from './events.js';
import {
  cleanEnv,
  instrumentAll,
  log,
  mapLimit,
  PARALLEL,
  probeKindsIn,
  pythonStdlib,
  removeScratch,
  run,
  scratchDir,
  seconds,
  writeRuntimeInto,
  type RunResult,
} from './harness.js';

// Pure-Python modules whose tests in the installed `test` package run offline in seconds, chosen
// for what they exercise. Left out, and why: statistics and tokenize pass with telemetry off but
// write 4-6 million events in over two minutes when on; json, re, random, reprlib and the other
// modules the Python runtime imports would import themselves through it; csv and decimal are C.
const MODULES: { name: string; why: string }[] = [
  { name: 'textwrap', why: 'loops over chunks, regexes, a class with state' },
  { name: 'shlex', why: 'an iterator class, while loops, ValueError on unclosed quotes' },
  { name: 'difflib', why: 'generators everywhere (unified_diff, ndiff, get_grouped_opcodes), nested loops' },
  { name: 'graphlib', why: 'a generator (static_order), CycleError, loops' },
  { name: 'fractions', why: 'raises ZeroDivisionError, ValueError, TypeError; operator fallbacks' },
  { name: 'base64', why: 'binascii.Error propagating through probes, chunk loops' },
  { name: 'bisect', why: 'while loops; its test blocks the C accelerator to test the Python code' },
  { name: 'heapq', why: 'the merge generator; its test blocks _heapq to test the Python code' },
  { name: 'fnmatch', why: 'lru_cache-decorated functions, pattern translation loops' },
  { name: 'colorsys', why: 'branch-heavy arithmetic' },
  { name: 'string', why: 'Template and Formatter: recursion, regex callbacks' },
  { name: 'pprint', why: 'recursion over containers, dispatch on types' },
];

// Imports the module the way the test will and refuses to go on unless it is the instrumented
// copy, then runs exactly what `python3 -m unittest test.test_<name>` runs.
const RUNNER = `
import importlib, sys, unittest
name, expected = sys.argv[1], sys.argv[2]
module = importlib.import_module(name)
if module.__file__ != expected:
    sys.exit("%s was imported from %s, not from the instrumented copy %s" % (name, module.__file__, expected))
print("imported", module.__file__, flush=True)
unittest.main(module=None, argv=["python3 -m unittest", "test.test_" + name])
`;

interface ModuleRun {
  name: string;
  off: RunResult;
  on: RunResult;
  offFile: string;
  onFile: string;
  tests: number;
  seconds: string;
}

const testsRan = (r: RunResult) => Number(/^Ran (\d+) tests? in /m.exec(r.stderr)?.[1] ?? -1);
const verdict = (r: RunResult) => /^(OK|FAILED)\b.*$/m.exec(r.stderr)?.[0] ?? '(no verdict)';

describe("Python's standard library, instrumented in full, under its own tests", () => {
  let dir: string;
  let lib: string;
  let runs: ModuleRun[];
  let functions = 0;
  let eligible = 0;
  let texts: Map<string, string>;

  beforeAll(async () => {
    const started = performance.now();
    const engine = await Engine.create();
    dir = scratchDir('python');
    lib = join(dir, 'lib');
    const stdlib = pythonStdlib();
    const counts = await instrumentAll(
      engine,
      MODULES.map(({ name }) => ({
        lang: 'python' as const,
        source: join(stdlib, `${name}.py`),
        dest: join(lib, `${name}.py`),
        relPath: `${name}.py`,
        runtimeImport: 'telemetry_runtime',
      })),
      true,
    );
    expect(counts.skipped).toEqual([]);
    functions = counts.functions;
    eligible = counts.eligible;
    texts = counts.texts;
    writeRuntimeInto(engine, 'python', lib);
    const python = (name: string, env: Record<string, string>) =>
      run('python3', ['-c', RUNNER, name, join(lib, `${name}.py`)], {
        cwd: dir,
        env: cleanEnv({ PYTHONPATH: lib, PYTHONDONTWRITEBYTECODE: '1', ...env }),
      });
    runs = await mapLimit(MODULES, PARALLEL, async ({ name }) => {
      const since = performance.now();
      const offFile = join(dir, `${name}.off.jsonl`);
      const onFile = join(dir, `${name}.on.jsonl`);
      // DEBUG=true with TELEMETRY_ENABLED=false: the explicit switch must win.
      const off = await python(name, { DEBUG: 'true', TELEMETRY_ENABLED: 'false', TELEMETRY_FILE: offFile });
      const on = await python(name, { TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: onFile });
      return { name, off, on, offFile, onFile, tests: testsRan(on), seconds: seconds(since) };
    });
    const tests = runs.reduce((sum, r) => sum + Math.max(0, r.tests), 0);
    log(
      `python: ${MODULES.length} stdlib modules, ${functions} functions instrumented, ` +
        `${tests} tests run twice (off, on) in ${seconds(started)} s`,
    );
  }, 600_000);
  afterAll(() => removeScratch(dir));

  it('instruments every function of each module and imports the runtime once', () => {
    for (const { name } of MODULES) {
      const text = texts.get(join(lib, `${name}.py`))!;
      expect(text.match(/^import telemetry_runtime as _tm$/gm), name).toHaveLength(1);
      const kinds = [...probeKindsIn(text)];
      log(`python ${name}: probe kinds beyond entry/exit: ${kinds.length ? kinds.join(', ') : 'none'}`);
    }
    expect(functions).toBe(eligible);
    expect(functions).toBeGreaterThan(200);
  });

  it("passes each module's own tests against the instrumented copy with telemetry off and on", () => {
    for (const r of runs) {
      log(`python ${r.name}: off ${verdict(r.off)}, on ${verdict(r.on)}, ${r.tests} tests, ${r.seconds} s`);
    }
    for (const r of runs) {
      for (const [mode, result] of [['off', r.off], ['on', r.on]] as const) {
        expect(result.stdout, `${r.name} (${mode}) imported the copy`).toContain(`imported ${join(lib, `${r.name}.py`)}`);
        expect(result.code, `${r.name} with telemetry ${mode}:\n${result.stderr.slice(-3000)}`).toBe(0);
        expect(verdict(result), `${r.name} (${mode})`).toMatch(/^OK/);
      }
      expect(testsRan(r.off), `${r.name}: the same tests ran off and on`).toBe(r.tests);
      expect(r.tests, r.name).toBeGreaterThan(0);
    }
  });

  it('writes no event at all while telemetry is off, even with DEBUG=true', () => {
    for (const r of runs) expectNoEvents(r.offFile, r.name);
  });

  it('writes a well-formed stream for every module when on, with calls from the module itself', async () => {
    const summaries: StreamSummary[] = [];
    for (const r of runs) {
      expect(existsSync(r.onFile), `${r.name}: no event file`).toBe(true);
      const summary = await checkEventFile(r.onFile, 'python');
      log(`python ${r.name} events: ${describeSummary(summary)}`);
      expectWellFormed(summary, r.name);
      expect(summary.byFile.get(`${r.name}.py`) ?? 0, `${r.name}: no event from ${r.name}.py`).toBeGreaterThan(0);
      summaries.push(summary);
    }
    const total = summaries.reduce((sum, s) => sum + s.events, 0);
    log(`python: ${total} events checked across ${runs.length} modules`);
  }, 300_000);
});
