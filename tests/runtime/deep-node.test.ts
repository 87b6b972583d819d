// Deep probes in the JavaScript runtime: fixtures/runtime/deep/deep-app.ts calls var, branch,
// loop/n++/done, caught and fin exactly in the contract's forms; strict tsc must accept every
// form against telemetry-runtime.d.cts, and the compiled program runs with the real node.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { cleanEnv, fixturePath, removeScratch, repoRoot, run, runtimeDir, scratch } from './helpers.js';

const EXPECTED_DEMO =
  'scan 4 undefined\ncountdown 8\nkeysOf abc\nfirstNegative 2\nguarded caught twice\nlabeled 12\nkind one many\n' +
  'poll [ 3, 6 ]\npages [ 0, 1, 2 ]\npages closed early 0 1\n';

describe('deep probes in the JavaScript runtime', () => {
  let dir: string;
  let app: string;
  let tsc: { code: number; output: string };
  const node = (args: string[], env: Record<string, string> = {}) =>
    run(process.execPath, ['deep-app.js', ...args], { cwd: dir, env: cleanEnv(env) });
  const traced = async (label: string, args: string[], env: Record<string, string> = {}) => {
    const file = join(dir, `${label}.jsonl`);
    const result = await node(args, { DEBUG: 'true', TELEMETRY_FILE: file, ...env });
    expect(result.stderr).toBe('');
    return { result, events: readDeepEvents(file), text: existsSync(file) ? readFileSync(file, 'utf8') : '' };
  };
  let demo: DeepEvent[];

  beforeAll(async () => {
    const runtime = runtimeDir('javascript');
    dir = scratch(join(runtime, 'telemetry-runtime.cjs'), join(runtime, 'telemetry-runtime.d.cts'));
    app = placeLines(readFileSync(fixturePath('deep/deep-app.ts'), 'utf8'), /^(async )?function/);
    writeFileSync(join(dir, 'deep-app.ts'), app);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    const compilerOptions = {
      strict: true,
      module: 'nodenext',
      moduleResolution: 'nodenext',
      target: 'es2022',
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules/@types')],
    };
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['deep-app.ts'] }));
    tsc = await promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir]).then(
      ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
      (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
    );
    const { result, events } = await traced('demo', ['demo']);
    expect(result).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
    demo = events;
  }, 120_000);
  afterAll(() => removeScratch(dir));

  it('type-checks every deep probe form against telemetry-runtime.d.cts under strict TypeScript', () => {
    expect(tsc).toEqual({ code: 0, output: '' });
  });

  it('exports the deep probes to ES modules through the CommonJS module lexer', async () => {
    const source = 'import * as t from "./telemetry-runtime.cjs"; console.log(["var","branch","loop","done","caught","fin"].map((k) => typeof t[k]).join())';
    const result = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: dir, env: cleanEnv() });
    expect(result.stdout).toBe('function,function,function,function,function,function\n');
  });

  it('writes well-formed deep events: inside their call, at their probe line, loops closed before the exit', () => {
    expectDeepWellFormed(demo);
    const scan = callsOf(demo, 'scan')[0];
    expect(scan.line).toBe(lineWith(app, 'function scan('));
    expect(eventsOf(demo, scan, 'loop_entry')[0].line).toBe(lineIn(app, 'function scan(', '_tm.loop('));
    const found = eventsOf(demo, scan, 'variable_change')[0];
    expect(found).toMatchObject({ variable: 'found', value: '4', line: lineWith(app, '"found", found)') });
    expect(found).not.toHaveProperty('redacted');
  });

  it('counts the iterations a loop really ran when it is left by break, continue, return or throw', () => {
    const [broken, finished] = callsOf(demo, 'scan');
    expect(story(demo, broken)).toEqual([
      'function_entry', 'loop for-of', 'branch else', 'branch if', 'branch else', 'branch if', 'var found=4',
      'exit for-of 4', 'function_exit',
    ]);
    expect(story(demo, finished)).toEqual(['function_entry', 'loop for-of', 'branch else', 'branch else', 'exit for-of 2', 'function_exit']);
    // countdown(7) continues on every odd n; its do-while then runs once per even n.
    expect(story(demo, onlyCall(demo, 'countdown')).filter((s) => s.startsWith('exit'))).toEqual(['exit while 7', 'exit do 4']);
    expect(story(demo, onlyCall(demo, 'keysOf'))).toContain('exit for-in 3');
    expect(story(demo, onlyCall(demo, 'firstNegative')).slice(-3)).toEqual(['branch if', 'exit for 3', 'function_exit']);
    const explode = onlyCall(demo, 'explode');
    expect(story(demo, explode).slice(-3)).toEqual(['branch if', 'exit for-of 3', 'function_exit']);
    expect(exitEvent(demo, explode)?.error).toEqual({ type: 'RangeError', message: 'zero in 3,2,0,1' });
  });

  it('closes an inner loop left by continue or break to a label when the outer loop moves on or is done', () => {
    expect(story(demo, onlyCall(demo, 'labeled'))).toEqual([
      'function_entry', 'loop for-of', 'loop for-of', 'exit for-of 2',
      'loop for-of', 'branch if', 'exit for-of 2',
      'loop for-of', 'branch if', 'exit for-of 2', 'exit for-of 3', 'function_exit',
    ]);
  });

  it('names the case or default a switch took', () => {
    const [one, many] = callsOf(demo, 'kind');
    expect(eventsOf(demo, one, 'branch')).toEqual([expect.objectContaining({ branch: 'case', condition: '1' })]);
    expect(eventsOf(demo, many, 'branch')).toEqual([expect.objectContaining({ branch: 'default', condition: null })]);
  });

  it('keeps each async call its own loop across awaits, and a generator its loop across yields', () => {
    const polls = callsOf(demo, 'poll');
    expect(polls.map((p) => story(demo, p).filter((s) => s.startsWith('exit')))).toEqual([['exit for 3'], ['exit for 4']]);
    expect(polls.map((p) => eventsOf(demo, p, 'variable_change').map((e) => e.value))).toEqual([
      ['0', '1', '3'],
      ['0', '1', '3', '6'],
    ]);
    const [all, closed] = callsOf(demo, 'pages');
    expect(story(demo, all)).toEqual(['function_entry', 'loop while', 'exit while 3', 'function_exit']);
    expect(story(demo, closed)).toEqual(['function_entry', 'loop while', 'exit while 2', 'function_exit']);
  });

  it('reports the caught error when catch has a binding, and null without one or in finally', () => {
    const guarded = onlyCall(demo, 'guarded');
    expect(eventsOf(demo, guarded, 'exception')).toEqual([
      expect.objectContaining({ clause: 'catch', error: { type: 'RangeError', message: 'zero in 3,2,0,1' } }),
      expect.objectContaining({ clause: 'finally', error: null }),
      expect.objectContaining({ clause: 'catch', error: null }),
    ]);
    expect(eventsOf(demo, guarded, 'exception')[0].line).toBe(lineWith(app, '} catch (e) {') + 1);
  });

  it.each(SAMPLING_CASES)('samples variable and branch events inside a loop with TELEMETRY_LOOP_EVENTS $setting', async ({ setting, limit }) => {
    const { result, events } = await traced(`sample-${setting}`, ['sample', '100'], samplingEnv(setting));
    expect(result).toMatchObject({ code: 0, stdout: 'sample 4950\n' });
    expectDeepWellFormed(events);
    expectSampled(events, onlyCall(events, 'sample'), limit);
  });

  it('never writes a redacted value: secret-looking params and variables, values the engine left out, secret keys inside values', async () => {
    const { result, events, text } = await traced('secrets', ['secrets']);
    expect(result.code).toBe(0);
    expectDeepWellFormed(events);
    const call = onlyCall(events, 'secrets');
    expect(call.args).toEqual({ user: '"ada"', password: '<redacted>', apiKey: '<redacted>', cardNumber: '"4111-1111-1111-1234"' });
    expect(eventsOf(events, call, 'variable_change').map((e) => [e.variable, e.value, e.redacted ?? false])).toEqual([
      ['sessionId', '<redacted>', true],
      ['passphrase', '<redacted>', true],
      ['card', '"1234-NUMBAT"', false],
      ['headers', '{"Authorization":"<redacted>","accept":"json"}', false],
    ]);
    for (const secret of ['KOALA', 'EMU', 'QUOKKA', 'WOMBAT', 'DINGO']) expect(text).not.toContain(secret);
  });

  it('redacts by TELEMETRY_REDACT instead of the default pattern, params and variables alike', async () => {
    const { events, text } = await traced('secrets-custom', ['secrets'], { TELEMETRY_REDACT: '^CARD' });
    const call = onlyCall(events, 'secrets');
    expect(call.args).toMatchObject({ password: '"hunter2-KOALA"', cardNumber: '<redacted>' });
    expect(eventsOf(events, call, 'variable_change').find((e) => e.variable === 'card')).toMatchObject({ redacted: true });
    for (const secret of ['4111', 'NUMBAT', 'WOMBAT']) expect(text).not.toContain(secret);
  });

  it('writes nothing and prints the same when telemetry is off', async () => {
    const file = join(dir, 'off.jsonl');
    for (const args of [['sample', '100'], ['secrets']]) {
      expect(await node(args, { TELEMETRY_FILE: file, TELEMETRY_LOOP_EVENTS: 'all' })).toMatchObject({ code: 0, stderr: '' });
    }
    expect(await node(['demo'], { TELEMETRY_FILE: file })).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(existsSync(file)).toBe(false);
  });

  it('never throws into the program when a probe gets nonsense', async () => {
    const source = `
      const _tm = require("./telemetry-runtime.cjs");
      const __tel = _tm.enter("f", "x.js", 1, {});
      __tel && _tm.var(__tel, "two", "p", new Proxy({}, { get() { throw new Error("trap"); } }));
      __tel && _tm.branch(__tel, null, undefined);
      __tel && _tm.caught(__tel, 3, { get name() { throw new Error("getter"); } });
      __tel && _tm.caught(__tel, 4, undefined);
      _tm.done({ n: 1 }); _tm.done(false); _tm.done(undefined);
      const __l0 = __tel && _tm.loop(__tel, 5, Symbol("odd"));
      __l0 && _tm.done(__l0); __l0 && _tm.done(__l0);
      _tm.exit(__tel);
      console.log("ok");`;
    const file = join(dir, 'nonsense.jsonl');
    const result = await run(process.execPath, ['-e', source], { cwd: dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file }) });
    expect(result).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
    const events = readDeepEvents(file);
    expect(events.map((e) => e.event_type)).toEqual([
      'function_entry', 'variable_change', 'branch', 'exception', 'exception', 'loop_entry', 'loop_exit', 'function_exit',
    ]);
    expectDeepWellFormed(events);
    expect(events[1]).toMatchObject({ value: '[Proxy]', line: 1 });
  });
});
