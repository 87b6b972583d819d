// The Go runtime (server/languages/go/runtime/telemetry.go), exercised by building a
// hand-instrumented program with the real go toolchain in a scratch module
// example.com/rt whose runtime lives at telemetry/.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  call,
  cleanEnv,
  entries,
  exitOf,
  expectWellFormed,
  parentOf,
  parseEvents,
  programDir,
  readEvents,
  removeScratch,
  run,
  runtimeDir,
  scratch,
  sighupScenario,
} from './helpers.js';

const EXPECTED_DEMO =
  'add 5\nlogin 10\nsafe 4 | recovered: negative: -1\n' +
  'index recovered: runtime error: index out of range [5] with length 3\ncounter 12\nworkers 14\n';
// Offline, and a build cache that survives between runs so only the first build is slow.
const GO_ENV = {
  GOFLAGS: '-mod=mod',
  GOCACHE: join(tmpdir(), 'telemetry-runtime-gocache'),
  GOPROXY: 'off',
  GOWORK: 'off',
  GO111MODULE: 'on',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
};

describe('the Go runtime', () => {
  let dir: string;
  let goMinor: number;
  const go = (args: string[]) => run('go', args, { cwd: dir, env: cleanEnv(GO_ENV) });
  const prog = (mode: string, env: Record<string, string> = {}, extra = {}) =>
    run(join(dir, 'prog'), [mode], { cwd: dir, env: cleanEnv(env), ...extra });
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
    dir = scratch(join(programDir('go'), 'main.go'));
    writeFileSync(join(dir, 'go.mod'), 'module example.com/rt\n\ngo 1.19\n');
    mkdirSync(join(dir, 'telemetry'));
    copyFileSync(join(runtimeDir('go'), 'telemetry.go'), join(dir, 'telemetry', 'telemetry.go'));
    const internalTest = 'telemetry_internal_test.go';
    copyFileSync(join(programDir('go'), internalTest), join(dir, 'telemetry', internalTest));
    const version = execFileSync('go', ['env', 'GOVERSION'], { env: cleanEnv(GO_ENV) }).toString();
    goMinor = Number(/^go1\.(\d+)/.exec(version)?.[1] ?? 99);
    const build = await go(['build', '-o', 'prog', '.']);
    expect(build, build.stderr).toMatchObject({ code: 0 });
  }, 300_000);
  afterAll(() => removeScratch(dir));

  it('passes go vet', async () => {
    expect(await go(['vet', './...'])).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it('finds a goroutine\'s creator in Go 1.21 traces and expects none before', async () => {
    const result = await go(['test', '-count=1', './telemetry']);
    expect(result, result.stdout).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^ok\s+example\.com\/rt\/telemetry/m);
  }, 120_000);

  it('lets the compiler inline Enter, so the off path is one atomic load at the call site', async () => {
    const result = await go(['build', '-o', join(dir, 'prog-m'), '-gcflags=example.com/rt/...=-m', '.']);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/can inline Enter\b/);
    expect(result.stderr).toMatch(/inlining call to telemetry\.Enter\b/);
  }, 120_000);

  it('writes a balanced, well-formed event stream and leaves stdout unchanged when DEBUG=true', async () => {
    expect(await prog('demo')).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    const events = await demoEvents('balanced');
    expectWellFormed(events);
    expect(call(events, 'Add', 'a', '2')).toMatchObject({ file: 'main.go', line: 20, parent_correlation_id: null });
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
      const safe = parentOf(events, caught)!;
      expect(safe.function_name).toBe('Safe');
      expect(exitOf(events, safe)).not.toHaveProperty('error');
    }
    expect(exitOf(events, call(events, 'Risky', 'n', '4'))).not.toHaveProperty('error');
  });

  it('tracks a method call and the calls it makes', async () => {
    const events = await demoEvents('method');
    const inc = call(events, '(*Counter).Inc', 'by', '7');
    expect(inc.args?.c).toBe('&{total:5}');
    expect(call(events, 'Add', 'b', '7').parent_correlation_id).toBe(inc.correlation_id);
  });

  it("keeps a goroutine's calls under the goroutine's own span, and links the goroutine to its creator from Go 1.21", async () => {
    const events = await demoEvents('goroutine');
    const workers = entries(events, 'RunWorkers')[0];
    for (const i of ['1', '2', '3']) {
      const work = call(events, 'Work', 'i', i);
      expect(call(events, 'Square', 'x', i).parent_correlation_id).toBe(work.correlation_id);
      if (goMinor >= 21) {
        expect(work.parent_correlation_id).toBe(workers.correlation_id);
      } else {
        // Go 1.19's traces do not name the creating goroutine: the goroutine starts a trace.
        expect(work.parent_correlation_id).toBeNull();
        expect(work.trace_id).not.toBe(workers.trace_id);
      }
    }
    expect(entries(events, 'Add').filter((e) => e.parent_correlation_id === workers.correlation_id)).toHaveLength(3);
  });

  it('lets an unrecovered panic crash the program exactly as before, after recording it', async () => {
    const file = join(dir, 'crash.jsonl');
    const off = await prog('crash');
    const on = await prog('crash', { DEBUG: 'true', TELEMETRY_FILE: file });
    for (const result of [off, on]) {
      expect(result).toMatchObject({ code: 2, stdout: 'before crash\n' });
      expect(result.stderr).toMatch(/^panic: boom/);
    }
    const events = readEvents(file);
    expectWellFormed(events);
    expect(exitOf(events, entries(events, 'Explode')[0])?.error).toEqual({ type: 'string', message: 'boom' });
  });

  it('does not swallow panic(nil), which recover() reports as nil before Go 1.21', async () => {
    const file = join(dir, 'panicnil.jsonl');
    const off = await prog('panicnil');
    const on = await prog('panicnil', { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(off).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect(on).toMatchObject({ code: off.code, stdout: off.stdout });
    expect(exitOf(readEvents(file), entries(readEvents(file), 'Explode')[0])).toHaveProperty('error');
  });

  it('keeps every line whole and every goroutine its own parents when 32 goroutines call at once', async () => {
    const file = join(dir, 'stress.jsonl');
    expect(await prog('stress', { DEBUG: 'true', TELEMETRY_FILE: file })).toMatchObject({ code: 0, stdout: 'stressed\n' });
    const events = readEvents(file);
    expectWellFormed(events);
    expect(entries(events, 'Square')).toHaveLength(32 * 50);
    for (const square of entries(events, 'Square')) expect(parentOf(events, square)?.function_name).toBe('Work');
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
    const file = join(dir, 'sighup.jsonl');
    const { whileOff, code, stdout, events } = await sighupScenario(join(dir, 'prog'), ['sighup'], dir, file);
    expect(whileOff).toBe('');
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'ready\non\ndone\n' });
    expectWellFormed(events);
    expect(new Set(events.map((e) => e.function_name))).toEqual(new Set(['Session', 'during', 'Add']));
  });

  it('keeps running with unchanged output and counts dropped events when TELEMETRY_FILE cannot be opened', async () => {
    const env = { DEBUG: 'true', TELEMETRY_FILE: join(dir, 'missing-dir', 'events.jsonl') };
    expect(await prog('demo', env)).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect((await prog('dropped', env)).stdout).toBe('dropped 2\n');
  });

  it('keeps running with unchanged output when stderr is a broken pipe or closed', async () => {
    // os.Stderr would die of SIGPIPE here; a lost event must not kill the program.
    const broken = await prog('demo', { DEBUG: 'true' }, { closeStderrEarly: true });
    expect(broken).toMatchObject({ code: 0, signal: null, stdout: EXPECTED_DEMO });
    expect(await prog('dropped', { DEBUG: 'true' }, { closeStderrEarly: true })).toMatchObject({
      code: 0,
      stdout: 'dropped 2\n',
    });
    const closed = await run('sh', ['-c', 'exec 2>&-; exec ./prog demo'], { cwd: dir, env: cleanEnv({ DEBUG: 'true' }) });
    expect(closed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
  });
});
