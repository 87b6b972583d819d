// Deep probes in the Python runtime: fixtures/runtime/deep/deep_app.py calls var, branch,
// loop/tick/done, caught and fin exactly in the contract's forms, and runs with the real python3.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
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
import { cleanEnv, fixturePath, removeScratch, run, runtimeDir, scratch } from './helpers.js';

const EXPECTED_DEMO =
  'scan 4 None\ncountdown 4\nfirst_negative 2\nguarded caught\npropagate KeyError\nnested 12\n' +
  'pages [0, 1, 2]\npages closed early 0 1\n';

describe('deep probes in the Python runtime', () => {
  let dir: string;
  let app: string;
  const python = (args: string[], env: Record<string, string> = {}) =>
    run('python3', ['deep_app.py', ...args], { cwd: dir, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1', ...env }) });
  const traced = async (label: string, args: string[], env: Record<string, string> = {}) => {
    const file = join(dir, `${label}.jsonl`);
    const result = await python(args, { DEBUG: 'true', TELEMETRY_FILE: file, ...env });
    expect(result.stderr).toBe('');
    return { result, events: readDeepEvents(file), text: existsSync(file) ? readFileSync(file, 'utf8') : '' };
  };
  let demo: DeepEvent[];

  beforeAll(async () => {
    dir = scratch(join(runtimeDir('python'), 'telemetry_runtime.py'));
    app = placeLines(readFileSync(fixturePath('deep/deep_app.py'), 'utf8'), /^def /);
    writeFileSync(join(dir, 'deep_app.py'), app);
    const { result, events } = await traced('demo', ['demo']);
    expect(result).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
    demo = events;
  });
  afterAll(() => removeScratch(dir));

  it('writes well-formed deep events: inside their call, at their probe line, loops closed before the exit', () => {
    expectDeepWellFormed(demo);
    const scan = callsOf(demo, 'scan')[0];
    expect(eventsOf(demo, scan, 'loop_entry')[0].line).toBe(lineIn(app, 'def scan(', '_tm.loop('));
    const found = eventsOf(demo, scan, 'variable_change')[0];
    expect(found).toMatchObject({ variable: 'found', value: '4', line: lineWith(app, '"found", found)') });
    expect(callsOf(demo, 'scan')[0].line).toBe(lineWith(app, 'def scan('));
    expect(found).not.toHaveProperty('redacted');
  });

  it('counts the iterations a loop really ran when it is left by break, continue, return or raise', () => {
    const [broken, finished] = callsOf(demo, 'scan');
    expect(story(demo, broken)).toEqual([
      'function_entry', 'loop for', 'branch else', 'branch elif', 'branch else', 'branch if', 'var found=4', 'exit for 4',
      'function_exit',
    ]);
    expect(story(demo, finished)).toEqual(['function_entry', 'loop for', 'branch else', 'branch else', 'exit for 2', 'function_exit']);
    // countdown(7) continues on every odd n: seven iterations, three of them cut short.
    expect(story(demo, onlyCall(demo, 'countdown')).filter((s) => s.startsWith('exit'))).toEqual(['exit while 7']);
    // Returning from the third iteration closes the loop before function_exit.
    expect(story(demo, onlyCall(demo, 'first_negative')).slice(-3)).toEqual(['branch if', 'exit for 3', 'function_exit']);
    const explode = onlyCall(demo, 'explode');
    expect(story(demo, explode).slice(-3)).toEqual(['branch if', 'exit for 3', 'function_exit']);
    expect(exitEvent(demo, explode)?.error).toEqual({ type: 'ZeroDivisionError', message: 'zero in [3, 2, 0, 1]' });
  });

  it('closes an inner loop left by an exception when the outer loop moves on or is done', () => {
    expect(story(demo, onlyCall(demo, 'nested'))).toEqual([
      'function_entry', 'loop for', 'loop for', 'exit for 2',
      'loop for', 'except ValueError', 'exit for 2',
      'loop for', 'except ValueError', 'exit for 2', 'exit for 3', 'function_exit',
    ]);
  });

  it('keeps a loop open across yields and closes it when the generator finishes or is closed', () => {
    const [all, closed] = callsOf(demo, 'pages');
    expect(story(demo, all)).toEqual(['function_entry', 'loop while', 'exit while 3', 'function_exit']);
    expect(story(demo, closed)).toEqual(['function_entry', 'loop while', 'exit while 2', 'function_exit']);
    expect(exitEvent(demo, closed)).not.toHaveProperty('error');
  });

  it('reports the handled exception in except, and in finally the one passing through or null', () => {
    const guarded = eventsOf(demo, onlyCall(demo, 'guarded'), 'exception');
    expect(guarded).toEqual([
      expect.objectContaining({ clause: 'except', error: { type: 'ZeroDivisionError', message: 'zero in [3, 2, 0, 1]' } }),
      expect.objectContaining({ clause: 'finally', error: null }),
    ]);
    expect(guarded[0].line).toBe(lineWith(app, 'except ZeroDivisionError:') + 1);
    const propagate = onlyCall(demo, 'propagate');
    expect(eventsOf(demo, propagate, 'exception')).toEqual([
      expect.objectContaining({ clause: 'finally', error: { type: 'KeyError', message: "'missing'" } }),
    ]);
    expect(exitEvent(demo, propagate)?.error).toEqual({ type: 'KeyError', message: "'missing'" });
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
    expect(call.args).toEqual({ user: "'ada'", password: '<redacted>', api_key: '<redacted>', card_number: "'4111-1111-1111-1234'" });
    expect(eventsOf(events, call, 'variable_change').map((e) => [e.variable, e.value, e.redacted ?? false])).toEqual([
      ['session_id', '<redacted>', true],
      ['passphrase', '<redacted>', true],
      ['card', "'1234-NUMBAT'", false],
      ['headers', "{'Authorization': <redacted>, 'accept': 'json'}", false],
    ]);
    for (const secret of ['KOALA', 'EMU', 'QUOKKA', 'WOMBAT', 'DINGO']) expect(text).not.toContain(secret);
  });

  it('redacts by TELEMETRY_REDACT instead of the default pattern, params and variables alike', async () => {
    const { events, text } = await traced('secrets-custom', ['secrets'], { TELEMETRY_REDACT: '^CARD' });
    const call = onlyCall(events, 'secrets');
    expect(call.args).toMatchObject({ password: "'hunter2-KOALA'", card_number: '<redacted>' });
    expect(eventsOf(events, call, 'variable_change').find((e) => e.variable === 'card')).toMatchObject({ redacted: true });
    for (const secret of ['4111', 'NUMBAT', 'WOMBAT']) expect(text).not.toContain(secret);
  });

  it('writes nothing and prints the same when telemetry is off', async () => {
    const file = join(dir, 'off.jsonl');
    for (const args of [['demo'], ['sample', '100'], ['secrets']]) {
      const result = await python(args, { TELEMETRY_FILE: file, TELEMETRY_LOOP_EVENTS: 'all' });
      expect(result).toMatchObject({ code: 0, stderr: '' });
    }
    expect((await python(['demo'], { TELEMETRY_FILE: file })).stdout).toBe(EXPECTED_DEMO);
    expect(existsSync(file)).toBe(false);
  });

  it('never raises into the program when a value cannot be shown or a probe gets nonsense', async () => {
    const source = [
      'import telemetry_runtime as _tm',
      'class Bad:',
      '    def __repr__(self): raise RuntimeError("repr")',
      '    def __str__(self): raise RuntimeError("str")',
      '__tel = _tm.enter("f", "x.py", 1, {})',
      '__tel and _tm.var(__tel, "two", "b", Bad())',
      '__tel and _tm.branch(__tel, None, None)',
      'try:',
      '    raise type("Odd", (Exception,), {"__str__": lambda self: 1 / 0})()',
      'except Exception:',
      '    __tel and _tm.caught(__tel, 9)',
      '__l0 = __tel and _tm.loop(__tel, 1, object())',
      '__l0 and __l0.done(); __l0 and __l0.done()',
      '_tm.exit(__tel)',
      'print("ok")',
    ].join('\n');
    const file = join(dir, 'nonsense.jsonl');
    const result = await run('python3', ['-c', source], { cwd: dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file }) });
    expect(result).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
    const events = readDeepEvents(file);
    expectDeepWellFormed(events);
    expect(events.find((e) => e.event_type === 'variable_change')).toMatchObject({ value: expect.stringMatching(/^<Bad instance/), line: 1 });
    expect(events.find((e) => e.event_type === 'exception')?.error).toEqual({ type: 'Odd', message: '<unprintable>' });
  });
});
