// Deep probes in the Go runtime: fixtures/runtime/deep/deep_main.go calls Var, Redacted, Branch,
// Loop/Tick/Done and Caught exactly in the contract's forms, and is built with the real go
// toolchain in a scratch module example.com/deep whose runtime the engine writes to telemetry/.
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import {
  callsOf,
  eventsOf,
  exitEvent,
  expectDeepWellFormed,
  expectSampled,
  samplingEnv,
  SAMPLING_CASES,
  lineIn,
  lineWith,
  onlyCall,
  placeLines,
  readDeepEvents,
  story,
  type DeepEvent,
} from './deep-events.js';
import { cleanEnv, fixturePath, GO_ENV, removeScratch, repoRoot, run, scratch, writeRuntime } from './helpers.js';

const EXPECTED_DEMO =
  'scan 4 -1\ncountdown 4\nfirstNegative 2\nguarded recovered\nlabeled 12\nkind one many other\nopen missing\nworkers 42456\n';

describe('deep probes in the Go runtime', () => {
  let dir: string;
  let app: string;
  const go = (args: string[]) => run('go', args, { cwd: dir, env: cleanEnv(GO_ENV) });
  const prog = (args: string[], env: Record<string, string> = {}) => run(join(dir, 'deep'), args, { cwd: dir, env: cleanEnv(env) });
  const traced = async (label: string, args: string[], env: Record<string, string> = {}) => {
    const file = join(dir, `${label}.jsonl`);
    const result = await prog(args, { DEBUG: 'true', TELEMETRY_FILE: file, ...env });
    return { result, events: readDeepEvents(file), text: existsSync(file) ? readFileSync(file, 'utf8') : '' };
  };
  let demo: DeepEvent[];

  beforeAll(async () => {
    dir = scratch();
    writeFileSync(join(dir, 'go.mod'), 'module example.com/deep\n\ngo 1.19\n');
    writeRuntime(await Engine.create(), 'go', dir);
    copyFileSync(join(repoRoot, 'tests/runtime/go/deep_internal_test.go'), join(dir, 'telemetry/deep_internal_test.go'));
    app = placeLines(readFileSync(fixturePath('deep/deep_main.go'), 'utf8'), /^func /);
    writeFileSync(join(dir, 'main.go'), app);
    const build = await go(['build', '-o', 'deep', '.']);
    expect(build, build.stderr).toMatchObject({ code: 0 });
    const { result, events } = await traced('demo', ['demo']);
    expect(result).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    demo = events;
  }, 300_000);
  afterAll(() => removeScratch(dir));

  it('passes go vet, the hand-instrumented program and the runtime alike', async () => {
    expect(await go(['vet', './...'])).toMatchObject({ code: 0, stderr: '' });
  }, 120_000);

  it('passes the runtime\'s own tests: Tick and the disabled probes allocate nothing, settings parse', async () => {
    const result = await go(['test', '-count=1', '-run', 'Tick|Disabled|FromEnv', './telemetry']);
    expect(result, result.stdout).toMatchObject({ code: 0 });
    expect(result.stdout).toMatch(/^ok\s+example\.com\/deep\/telemetry/m);
  }, 120_000);

  it('lets the compiler inline Loop, Tick and Done at every probe', async () => {
    const result = await go(['build', '-o', join(dir, 'deep-m'), '-gcflags=example.com/deep/...=-m', '.']);
    expect(result.code).toBe(0);
    for (const [call, count] of [
      ['Loop', app.split('_tm.Loop(').length - 1],
      ['(*LoopSpan).Tick', app.split('.Tick()').length - 1],
      ['(*LoopSpan).Done', app.split('.Done()').length - 1 - 1], // less wg.Done()
    ] as const) {
      const inlined = result.stderr.split('\n').filter((line) => line.includes(`inlining call to telemetry.${call}`));
      expect(inlined, call).toHaveLength(count);
    }
  }, 120_000);

  it('writes well-formed deep events: inside their call, at their probe line, loops closed before the exit', () => {
    expectDeepWellFormed(demo);
    const scan = callsOf(demo, 'Scan')[0];
    expect(scan.line).toBe(lineWith(app, 'func Scan('));
    expect(eventsOf(demo, scan, 'loop_entry')[0].line).toBe(lineIn(app, 'func Scan(', '_tm.Loop('));
    expect(eventsOf(demo, scan, 'variable_change')[0]).toMatchObject({ variable: 'found', value: '4', line: lineWith(app, '"found", found)') });
  });

  it('counts the iterations a loop really ran when it is left by break, continue, return or panic', () => {
    const [broken, finished] = callsOf(demo, 'Scan');
    expect(story(demo, broken)).toEqual([
      'function_entry', 'loop for', 'branch else', 'branch if', 'branch else', 'branch if', 'var found=4', 'exit for 4',
      'function_exit',
    ]);
    expect(story(demo, finished)).toEqual(['function_entry', 'loop for', 'branch else', 'branch else', 'exit for 2', 'function_exit']);
    expect(story(demo, onlyCall(demo, 'Countdown')).filter((s) => s.startsWith('exit'))).toEqual(['exit for 7']);
    expect(story(demo, onlyCall(demo, 'FirstNegative')).slice(-3)).toEqual(['branch if', 'exit for 3', 'function_exit']);
  });

  it('writes an exception event with clause "panic" from Exit, before the loop exits and function_exit, and re-panics', () => {
    const explode = onlyCall(demo, 'Explode');
    const error = { type: 'string', message: 'zero in [3 2 0 1]' };
    expect(story(demo, explode).slice(-4)).toEqual(['branch if', 'panic string', 'exit for 3', 'function_exit']);
    expect(eventsOf(demo, explode, 'exception')).toEqual([expect.objectContaining({ clause: 'panic', error, line: explode.line })]);
    expect(exitEvent(demo, explode)?.error).toEqual(error);
    // The panic reached Guarded, whose own deferred recover stopped it.
    expect(story(demo, onlyCall(demo, 'Guarded'))).toEqual(['function_entry', 'function_exit']);
  });

  it('closes inner loops left by continue or break to a label when the outer loop moves on or is done', () => {
    expect(story(demo, onlyCall(demo, 'Labeled'))).toEqual([
      'function_entry', 'loop for', 'loop for', 'exit for 2',
      'loop for', 'branch if', 'exit for 2',
      'loop for', 'branch if', 'exit for 2', 'exit for 3', 'function_exit',
    ]);
  });

  it('names the case, default or type-case a switch took', () => {
    expect(callsOf(demo, 'Kind').map((call) => eventsOf(demo, call, 'branch').map((e) => [e.branch, e.condition]))).toEqual([
      [['type-case', 'int'], ['case', '1']],
      [['type-case', 'int'], ['default', null]],
      [['default', null]],
    ]);
  });

  it('reports a checked error with its Go type and message', () => {
    const open = onlyCall(demo, 'Open');
    expect(eventsOf(demo, open, 'exception')).toEqual([
      expect.objectContaining({
        clause: 'error',
        error: { type: '*fs.PathError', message: 'open /nonexistent/deep: no such file or directory' },
        line: lineWith(app, '_tm.Caught('),
      }),
    ]);
    expect(exitEvent(demo, open)).not.toHaveProperty('error');
  });

  it("keeps each goroutine's loops in its own call", () => {
    const works = callsOf(demo, 'Work');
    expect(works).toHaveLength(8);
    for (const work of works) {
      const n = Number(work.args?.n);
      expect(story(demo, work)).toEqual(['function_entry', 'loop for', `exit for ${n}`, 'function_exit']);
    }
  });

  it('closes the open loops and records the panic when a panic crashes the program', async () => {
    const { result, events } = await traced('crash', ['crash']);
    expect(result).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect(result.stderr).toMatch(/^panic: crash at 3\b/);
    expectDeepWellFormed(events);
    expect(story(events, onlyCall(events, 'Crash'))).toEqual(['function_entry', 'loop for', 'panic string', 'exit for 3', 'function_exit']);
    expect(story(events, onlyCall(events, 'main'))).toEqual(['function_entry', 'panic string', 'function_exit']);
    const off = await prog(['crash']);
    expect(off).toMatchObject({ code: 2, stdout: 'before crash\n' });
    expect(off.stderr).toMatch(/^panic: crash at 3\n\ngoroutine 1 \[running\]:\nmain\.Crash\(/);
  });

  it.each(SAMPLING_CASES)('samples variable and branch events inside a loop with TELEMETRY_LOOP_EVENTS $setting', async ({ setting, limit }) => {
    const { result, events } = await traced(`sample-${setting}`, ['sample', '100'], samplingEnv(setting));
    expect(result).toMatchObject({ code: 0, stdout: 'sample 4950\n', stderr: '' });
    expectDeepWellFormed(events);
    expectSampled(events, onlyCall(events, 'Sample'), limit);
  });

  it('never writes a redacted value: secret-looking params and variables, values the engine left out, secret keys inside values', async () => {
    const { result, events, text } = await traced('secrets', ['secrets']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expectDeepWellFormed(events);
    const call = onlyCall(events, 'Secrets');
    expect(call.args).toEqual({ user: '"ada"', password: '<redacted>', apiKey: '<redacted>', cardNumber: '"4111-1111-1111-1234"' });
    expect(eventsOf(events, call, 'variable_change').map((e) => [e.variable, e.value, e.redacted ?? false])).toEqual([
      ['sessionID', '<redacted>', true],
      ['passphrase', '<redacted>', true],
      ['card', '"1234-NUMBAT"', false],
      ['headers', 'map["Authorization":<redacted>]', false],
    ]);
    for (const secret of ['KOALA', 'EMU', 'QUOKKA', 'WOMBAT', 'DINGO']) expect(text).not.toContain(secret);
  });

  it('redacts by TELEMETRY_REDACT instead of the default pattern, params and variables alike', async () => {
    const { events, text } = await traced('secrets-custom', ['secrets'], { TELEMETRY_REDACT: '^CARD' });
    const call = onlyCall(events, 'Secrets');
    expect(call.args).toMatchObject({ password: '"hunter2-KOALA"', cardNumber: '<redacted>' });
    expect(eventsOf(events, call, 'variable_change').find((e) => e.variable === 'card')).toMatchObject({ redacted: true });
    for (const secret of ['4111', 'NUMBAT', 'WOMBAT']) expect(text).not.toContain(secret);
  });

  it('writes nothing and prints the same when telemetry is off', async () => {
    const file = join(dir, 'off.jsonl');
    for (const args of [['sample', '100'], ['secrets']]) {
      expect(await prog(args, { TELEMETRY_FILE: file, TELEMETRY_LOOP_EVENTS: 'all' })).toMatchObject({ code: 0, stderr: '' });
    }
    expect(await prog(['demo'], { TELEMETRY_FILE: file })).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(existsSync(file)).toBe(false);
  });
});
