// The Go runtime (server/languages/go/runtime/*.go), exercised by instrumenting the plain
// fixtures/runtime/go/main.go with the real engine and building it with the real go toolchain
// in a scratch module example.com/rt, whose runtime the engine writes to telemetry/.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import {
  call,
  cleanEnv,
  entries,
  exitOf,
  expectWellFormed,
  fixturePath,
  GO_ENV,
  instrumentFixture,
  lineOf,
  parentOf,
  parseEvents,
  readEvents,
  removeScratch,
  repoRoot,
  run,
  runtimeDir,
  scratch,
  expectSighupStory,
  sighupScenario,
  writeRuntime,
  type Instrumented,
} from './helpers.js';

const EXPECTED_DEMO =
  'add 5\nlogin 10\nsafe 4 | recovered: negative: -1\n' +
  'index recovered: runtime error: index out of range [5] with length 3\ncounter 12\nworkers 14\n';
// Every function, method and function literal in main.go, in source order.
const FUNCTIONS = ['Add', 'Square', 'Login', 'Risky', 'Index', 'Safe', 'Safe.<anonymous>', 'Counter.Inc', 'Work']
  .concat(['RunWorkers', 'RunWorkers.<anonymous>', 'Phase', 'Session', 'Explode', 'settle', 'demo'])
  .concat(['demo.<anonymous>', 'demo.<anonymous>', 'demo.<anonymous>', 'sighup', 'main', 'main.<anonymous>']);
// Calls the runtime's API directly: the one figure a plain program cannot print.
const DROPPED = `package main

import (
	"fmt"

	_tm "example.com/rt/telemetry"
)

func main() {
	_tm.Exit(_tm.Enter("f", "dropped.go", 1))
	fmt.Println("dropped", _tm.Dropped())
}
`;
/** A Go panic report without what moves when lines are added: line numbers, pc offsets, argument words. */
const panicShape = (stderr: string) =>
  stderr
    .split('\n')
    .map((line) => (line.startsWith('\t') ? line.replace(/^\t.*\/([^/:]+):\d+( \+0x[0-9a-f]+)?$/, '\t$1') : line))
    .map((line) => line.replace(/^([\w./*()<>-]+?)\((\.\.\.|.*)\)$/, '$1()'))
    .join('\n');

describe('the Go runtime', () => {
  let dir: string;
  let goMinor: number;
  let app: Instrumented;
  let runtimeFiles: string[];
  const go = (args: string[], cwd = dir) => run('go', args, { cwd, env: cleanEnv(GO_ENV) });
  const binary = (name: string) => (mode: string, env: Record<string, string> = {}, extra = {}) =>
    run(join(dir, name), [mode], { cwd: dir, env: cleanEnv(env), ...extra });
  const prog = binary('prog');
  const plain = binary('plain/prog');
  const dropped = binary('prog-dropped');
  const demoEvents = async (label: string) => {
    const file = join(dir, `${label}.jsonl`);
    expect(await prog('demo', { DEBUG: 'true', TELEMETRY_FILE: file })).toMatchObject({
      code: 0,
      stdout: EXPECTED_DEMO,
      stderr: '',
    });
    return readEvents(file);
  };

  beforeAll(async () => {
    const engine = await Engine.create();
    // The runtime folder is the module root, so the package the engine writes to telemetry/ is
    // example.com/rt/telemetry.
    dir = scratch(fixturePath('go/go.mod'));
    app = await instrumentFixture(engine, 'go', 'go/main.go', dir, { runtimeImport: 'example.com/rt/telemetry' });
    runtimeFiles = writeRuntime(engine, 'go', dir);
    const internalTest = 'telemetry_internal_test.go';
    copyFileSync(join(repoRoot, 'tests/runtime/go', internalTest), join(dir, 'telemetry', internalTest));
    mkdirSync(join(dir, 'dropped'));
    writeFileSync(join(dir, 'dropped', 'main.go'), DROPPED);
    // The uninstrumented program, in a module of its own, as the baseline for what it prints.
    mkdirSync(join(dir, 'plain'));
    for (const file of ['go.mod', 'main.go']) copyFileSync(fixturePath(`go/${file}`), join(dir, 'plain', file));
    const version = execFileSync('go', ['env', 'GOVERSION'], { env: cleanEnv(GO_ENV) }).toString();
    goMinor = Number(/^go1\.(\d+)/.exec(version)?.[1] ?? 99);
    for (const build of [
      await go(['build', '-o', 'prog', '.']),
      await go(['build', '-o', 'prog-dropped', './dropped']),
      await go(['build', '-o', 'prog', '.'], join(dir, 'plain')),
    ]) {
      expect(build, build.stderr).toMatchObject({ code: 0 });
    }
  }, 300_000);
  afterAll(() => removeScratch(dir));

  it('instruments every function, method and function literal that main.go defines', () => {
    expect(app.added).toEqual(FUNCTIONS);
    expect(app.skipped).toEqual([]);
    expect(app.needsLlm).toEqual([]);
    expect(app.text).toContain('import _tm "example.com/rt/telemetry"');
  });

  it('writes every file of the runtime package into telemetry/, the API first', () => {
    const sources = readdirSync(runtimeDir('go')).filter((name) => name.endsWith('.go') || name.endsWith('.s'));
    expect([...runtimeFiles].sort()).toEqual(sources.map((name) => `telemetry/${name}`).sort());
    expect(runtimeFiles[0]).toBe('telemetry/telemetry.go');
  });

  it('passes go vet, instrumented program and runtime alike', async () => {
    expect(await go(['vet', './...'])).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it("passes the runtime's own tests: creators in Go 1.21 traces, goroutine ids, previews", async () => {
    const result = await go(['test', '-count=1', './telemetry']);
    expect(result, result.stdout).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^ok\s+example\.com\/rt\/telemetry/m);
  }, 120_000);

  it('lets the compiler inline every probe\'s On guard, so the off path is one atomic load at the call site', async () => {
    const result = await go(['build', '-o', join(dir, 'prog-m'), '-gcflags=example.com/rt/...=-m', '.']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/can inline On\b/);
    expect(result.stderr).toMatch(/can inline Enter\b/);
    // Every guard the engine wrote (entries and deep probes alike) is inlined.
    const guards = app.text.match(/_tm\.On\(\)/g)!.length;
    expect(guards).toBeGreaterThan(FUNCTIONS.length);
    expect(result.stderr.match(/inlining call to telemetry\.On\b/g)).toHaveLength(guards);
  }, 120_000);

  it('writes a balanced, well-formed event stream and leaves stdout unchanged when DEBUG=true', async () => {
    expect(await plain('demo')).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(await prog('demo')).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    const events = await demoEvents('balanced');
    expectWellFormed(events);
    const add = call(events, 'Add', 'a', '2');
    expect(add).toMatchObject({ file: 'main.go', line: lineOf(app.original, 'func Add('), caller: 'demo' });
    const demo = parentOf(events, add)!;
    expect(parentOf(events, demo)).toMatchObject({ function_name: 'main', parent_correlation_id: null, caller: null });
  });

  it('records a panic recovered by the caller on the exit of the function it left, with its Go type', async () => {
    const events = await demoEvents('panic');
    const risky = call(events, 'Risky', 'n', '-1');
    expect(exitOf(events, risky)?.error).toEqual({ type: 'string', message: 'negative: -1' });
    const index = call(events, 'Index', 'i', '5');
    expect(exitOf(events, index)?.error).toEqual({
      type: 'runtime.boundsError',
      message: 'runtime error: index out of range [5] with length 3',
    });
    for (const caught of [risky, index]) {
      // The panic also leaves the literal passed to Safe, then Safe's deferred recover stops it.
      const literal = parentOf(events, caught)!;
      expect(literal.function_name).toBe('demo.<anonymous>');
      expect(exitOf(events, literal)?.error).toEqual(exitOf(events, caught)?.error);
      const safe = parentOf(events, literal)!;
      expect(safe.function_name).toBe('Safe');
      expect(exitOf(events, safe)).not.toHaveProperty('error');
      const recovering = entries(events, 'Safe.<anonymous>').find((e) => e.parent_correlation_id === safe.correlation_id);
      expect(exitOf(events, recovering!)).not.toHaveProperty('error');
    }
    expect(exitOf(events, call(events, 'Risky', 'n', '4'))).not.toHaveProperty('error');
  });

  it('tracks a method call, its receiver and the calls it makes', async () => {
    const events = await demoEvents('method');
    const inc = call(events, 'Counter.Inc', 'by', '7');
    expect(inc.args).toEqual({ c: '&{total: 5}', by: '7' });
    expect(call(events, 'Add', 'b', '7').parent_correlation_id).toBe(inc.correlation_id);
  });

  it("keeps a goroutine's calls under the goroutine's own span, and links the goroutine to its creator's span and trace", async () => {
    // Go 1.21 and later name the creating goroutine in a trace; the runtime reads that line.
    expect(goMinor, 'the machine has Go 1.26; the creator link needs Go 1.21 or later').toBeGreaterThanOrEqual(21);
    const events = await demoEvents('goroutine');
    const workers = entries(events, 'RunWorkers')[0];
    for (const i of ['1', '2', '3']) {
      const work = call(events, 'Work', 'i', i);
      expect(call(events, 'Square', 'x', i).parent_correlation_id).toBe(work.correlation_id);
      const goroutine = parentOf(events, work)!;
      expect(goroutine.function_name).toBe('RunWorkers.<anonymous>');
      expect(goroutine.parent_correlation_id).toBe(workers.correlation_id);
      expect(goroutine.trace_id).toBe(workers.trace_id);
      expect(work.trace_id).toBe(workers.trace_id);
    }
    expect(entries(events, 'Add').filter((e) => e.parent_correlation_id === workers.correlation_id)).toHaveLength(3);
  });

  it('lets an unrecovered panic crash the program as before: unchanged when off, recorded when on', async () => {
    const file = join(dir, 'crash.jsonl');
    const original = await plain('crash');
    const off = await prog('crash');
    const on = await prog('crash', { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(original).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect(original.stderr).toMatch(/^panic: boom\n\ngoroutine 1 \[running\]:\nmain\.Explode\(/);
    expect({ ...off, stderr: panicShape(off.stderr) }).toEqual({ ...original, stderr: panicShape(original.stderr) });
    expect(on).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect(on.stderr).toMatch(/^panic: boom/);
    const events = readEvents(file);
    expectWellFormed(events);
    for (const name of ['Explode', 'main']) {
      const entry = entries(events, name)[0];
      expect(exitOf(events, entry)?.error).toEqual({ type: 'string', message: 'boom' });
      // Exit also writes the panic as an exception event, just before function_exit.
      const own = events.filter((e) => e.correlation_id === entry.correlation_id);
      // Deep probes may add branch or variable events before the panic; the panic's come last.
      expect(own.map((e) => e.event_type).filter((t) => !['branch', 'variable_change'].includes(t as string))).toEqual(['function_entry', 'exception', 'function_exit']);
      expect(own.at(-2)).toMatchObject({ event_type: 'exception', clause: 'panic', error: { type: 'string', message: 'boom' } });
    }
  });

  it('does not swallow panic(nil), which recover() reports as nil before Go 1.21', async () => {
    const file = join(dir, 'panicnil.jsonl');
    const original = await plain('panicnil');
    const off = await prog('panicnil');
    const on = await prog('panicnil', { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(original).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect({ ...off, stderr: panicShape(off.stderr) }).toEqual({ ...original, stderr: panicShape(original.stderr) });
    expect(on).toMatchObject({ code: off.code, stdout: off.stdout });
    expect(exitOf(readEvents(file), entries(readEvents(file), 'Explode')[0])).toHaveProperty('error');
  });

  it('keeps every line whole and every goroutine its own parents when 32 goroutines call at once (sampling off)', async () => {
    const file = join(dir, 'stress.jsonl');
    const env = { DEBUG: 'true', TELEMETRY_FILE: file, TELEMETRY_SAMPLING: 'off' };
    expect(await prog('stress', env)).toMatchObject({ code: 0, stdout: 'stressed\n' });
    const events = readEvents(file);
    expectWellFormed(events);
    expect(entries(events, 'Square')).toHaveLength(32 * 50);
    for (const square of entries(events, 'Square')) expect(parentOf(events, square)?.function_name).toBe('Work');
    for (const work of entries(events, 'Work')) expect(parentOf(events, work)?.function_name).toBe('main.<anonymous>');
  });

  it('writes nothing at all when telemetry is off', async () => {
    const file = join(dir, 'off.jsonl');
    expect(await prog('demo', { TELEMETRY_FILE: file })).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(existsSync(file)).toBe(false);
  });

  it('writes to stderr by default, with redacted and bounded arguments, and lets TELEMETRY_ENABLED override DEBUG', async () => {
    const forced = await prog('demo', { TELEMETRY_ENABLED: 'true' });
    expect(forced.stdout).toBe(EXPECTED_DEMO);
    const events = parseEvents(forced.stderr);
    expectWellFormed(events);
    const login = entries(events, 'Login')[0];
    expect(login.args).toMatchObject({ user: '"ada"', password: '<redacted>' });
    expect(login.args!.note.length).toBeLessThanOrEqual(100);
    expect(forced.stderr).not.toContain('hunter2');
    const vetoed = await prog('demo', { DEBUG: 'true', TELEMETRY_ENABLED: 'false' });
    expect(vetoed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
  });

  it('starts writing events on SIGHUP and stops on the next one', async () => {
    const { whileOff, code, stdout, calls, events } = await sighupScenario(join(dir, 'prog'), ['sighup'], dir);
    expect(whileOff).toBe('');
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'ready\ndone\n' });
    expectSighupStory(calls);
    expectWellFormed(events);
    expect(new Set(events.map((e) => e.function_name))).toEqual(new Set(['Session', 'Phase', 'Add']));
    expect(entries(events, 'Phase').map((e) => e.args?.name)).toEqual(calls.filter((c) => c.traced).map((c) => `"${c.name}"`));
  });

  it('keeps running with unchanged output and counts dropped events when TELEMETRY_FILE cannot be opened', async () => {
    const env = { DEBUG: 'true', TELEMETRY_FILE: join(dir, 'missing-dir', 'events.jsonl') };
    expect(await prog('demo', env)).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect((await dropped('', env)).stdout).toBe('dropped 2\n');
  });

  it('keeps running with unchanged output when stderr is a broken pipe or closed', async () => {
    // os.Stderr would die of SIGPIPE here; a lost event must not kill the program.
    const broken = await prog('demo', { DEBUG: 'true' }, { closeStderrEarly: true });
    expect(broken).toMatchObject({ code: 0, signal: null, stdout: EXPECTED_DEMO });
    expect(await dropped('', { DEBUG: 'true' }, { closeStderrEarly: true })).toMatchObject({
      code: 0,
      stdout: 'dropped 2\n',
    });
    const closed = await run('sh', ['-c', 'exec 2>&-; exec ./prog demo'], { cwd: dir, env: cleanEnv({ DEBUG: 'true' }) });
    expect(closed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
  });
});
