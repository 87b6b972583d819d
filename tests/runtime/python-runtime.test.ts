// The Python runtime (server/languages/python/runtime/telemetry_runtime.py), exercised by
// instrumenting the plain fixtures/runtime/python/app.py with the real engine and running it
// with the real python3.
import { existsSync, readFileSync } from 'node:fs';
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
  instrumentFixture,
  instrumentText,
  lineOf,
  parentOf,
  parseEvents,
  readEvents,
  removeScratch,
  run,
  runtimeDir,
  scratch,
  expectSighupStory,
  sighupScenario,
  writeRuntime,
  type Instrumented,
} from './helpers.js';

const RUNTIME = join(runtimeDir('python'), 'telemetry_runtime.py');
const EXPECTED_DEMO = 'add 5\nlogin 10\nsafe 4 | caught negative: -1\ncounter 12\nconsume 14\ngather 530\n';
// Every def in app.py, in source order: a function the engine skips fails here first.
const FUNCTIONS = ['add', 'square', 'login', 'risky', 'safe', 'Counter.__init__', 'Counter.inc', 'countdown']
  .concat(['consume', 'fetch', 'gather_both', 'phase', 'session', 'demo', 'sighup']);

describe('the Python runtime', () => {
  let dir: string;
  let engine: Engine;
  let app: Instrumented;
  const python = (args: string[], env: Record<string, string> = {}, extra = {}) =>
    run('python3', args, { cwd: dir, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1', ...env }), ...extra });
  const script = (source: string, env: Record<string, string> = {}) => python(['-c', source], env);

  beforeAll(async () => {
    engine = await Engine.create();
    dir = scratch();
    app = await instrumentFixture(engine, 'python', 'python/app.py', dir, { runtimeImport: 'telemetry_runtime' });
    writeRuntime(engine, 'python', dir);
  });
  afterAll(() => removeScratch(dir));

  it('instruments every function that app.py defines', () => {
    expect(app.added).toEqual(FUNCTIONS);
    expect(app.skipped).toEqual([]);
    expect(app.needsLlm).toEqual([]);
    expect(app.text).toMatch(/^import telemetry_runtime as _tm$/m);
  });

  it('writes a balanced, well-formed event stream and leaves stdout unchanged when DEBUG=true', async () => {
    const file = join(dir, 'demo.jsonl');
    const plain = await python([fixturePath('python/app.py'), 'demo']);
    const off = await python(['app.py', 'demo']);
    const on = await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(plain).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(off).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    expect(on).toMatchObject({ code: 0, stdout: off.stdout, stderr: '' });
    const events = readEvents(file);
    expectWellFormed(events);
    const add = call(events, 'add', 'a', '2');
    expect(add).toMatchObject({ file: 'app.py', line: lineOf(app.original, 'def add('), caller: 'demo' });
    expect(parentOf(events, add)).toMatchObject({ function_name: 'demo', parent_correlation_id: null, caller: null });
    expect(exitOf(events, add)?.return).toBe('5');
    const inc = call(events, 'Counter.inc', 'by', '7');
    expect(parentOf(events, call(events, 'add', 'a', '5'))?.correlation_id).toBe(inc.correlation_id);
  });

  it('records the exception a function raised on its exit and nothing on its caller that caught it', async () => {
    const file = join(dir, 'raise.jsonl');
    await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    const events = readEvents(file);
    const risky = call(events, 'risky', 'n', '-1');
    expect(exitOf(events, risky)?.error).toEqual({ type: 'ValueError', message: 'negative: -1' });
    const safe = parentOf(events, risky)!;
    expect(exitOf(events, safe)).not.toHaveProperty('error');
    expect(exitOf(events, safe)?.return).toBe('"caught negative: -1"');
  });

  it('keeps each asyncio task under its own call when two tasks interleave across awaits', async () => {
    const file = join(dir, 'async.jsonl');
    await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    const events = readEvents(file);
    const gather = entries(events, 'gather_both')[0];
    for (const n of ['10', '20']) {
      const fetch = call(events, 'fetch', 'n', n);
      expect(fetch.parent_correlation_id).toBe(gather.correlation_id);
      expect(parentOf(events, call(events, 'square', 'x', n))?.correlation_id).toBe(fetch.correlation_id);
    }
    // fetch(20) sleeps less (0.01 against 0.15 s: a margin a loaded machine cannot close between the
    // two tasks' first steps), so its calls come first although fetch(10) started first.
    const order = entries(events, 'square').map((e) => e.args?.x);
    expect(order.indexOf('20')).toBeLessThan(order.indexOf('10'));
    expect(parentOf(events, call(events, 'add', 'a', '110'))?.function_name).toBe('gather_both');
  });

  it("gives a generator's calls the generator as parent and the consumer's calls between next() the consumer", async () => {
    const file = join(dir, 'generator.jsonl');
    await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    const events = readEvents(file);
    const consume = entries(events, 'consume')[0];
    const countdown = entries(events, 'countdown')[0];
    expect(countdown.parent_correlation_id).toBe(consume.correlation_id);
    for (const x of ['3', '2', '1']) {
      expect(call(events, 'square', 'x', x).parent_correlation_id).toBe(countdown.correlation_id);
    }
    for (const b of ['9', '4', '1']) {
      expect(call(events, 'add', 'b', b).parent_correlation_id).toBe(consume.correlation_id);
    }
  });

  it('treats closing a suspended generator as a normal exit, not an error', async () => {
    const file = join(dir, 'close.jsonl');
    const result = await script('import app\ng = app.countdown(5)\nnext(g)\ng.close()\nprint(app.add(1, 1))', {
      DEBUG: 'true',
      TELEMETRY_FILE: file,
    });
    expect(result).toMatchObject({ code: 0, stdout: '2\n' });
    const events = readEvents(file);
    expectWellFormed(events);
    expect(exitOf(events, entries(events, 'countdown')[0])).not.toHaveProperty('error');
    expect(entries(events, 'add')[0].parent_correlation_id).toBeNull();
  });

  it('redacts secret-looking argument names and bounds every preview', async () => {
    const file = join(dir, 'redact.jsonl');
    await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    const login = entries(readEvents(file), 'login')[0];
    expect(login.args?.password).toBe('<redacted>');
    expect(login.args?.user).toBe('"ada"');
    expect(login.args!.note.length).toBeLessThanOrEqual(100);
    expect(readFileSync(file, 'utf8')).not.toContain('hunter2');
  });

  it('never raises into the program when a repr fails, redacts nested secrets, and does not recurse into an instrumented __repr__', async () => {
    const file = join(dir, 'repr.jsonl');
    const source = [
      'class Bad:',
      '    def __repr__(self): raise RuntimeError("no")',
      'class Loud:',
      '    def __repr__(self):',
      '        return "loud"',
      'def f(a, b, opts):',
      '    return a',
      'print(type(f(Bad(), Loud(), {"api_key": "k1", "n": list(range(10**6))})).__name__)',
    ].join('\n');
    const out = await instrumentText(engine, 'python', source, { relPath: 'x.py', runtimeImport: 'telemetry_runtime' });
    expect(out.added).toEqual(['Bad.__repr__', 'Loud.__repr__', 'f']);
    const result = await script(out.text, { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(result).toMatchObject({ code: 0, stdout: 'Bad\n', stderr: '' });
    const events = readEvents(file);
    expect(entries(events).map((e) => e.function_name)).toEqual(['f']);
    const { a, b, opts } = entries(events)[0].args!;
    expect(a).toBe('<unrepresentable Bad>');
    expect(b).toBe('loud');
    expect(opts).toBe('{"api_key": <redacted>, "n": [0, 1, 2, 3, 4, 5, 6, 7, …]}');
    expect(exitOf(events, entries(events)[0])?.return).toBe(a);
  });

  it('writes nothing at all when telemetry is off, whatever the sink', async () => {
    const file = join(dir, 'off.jsonl');
    expect(await python(['app.py', 'demo'], { TELEMETRY_FILE: file })).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(file)).toBe(false);
    expect(await python(['app.py', 'demo'], { DEBUG: 'false' })).toMatchObject({ code: 0, stderr: '' });
  });

  it('lets TELEMETRY_ENABLED override DEBUG in both directions', async () => {
    const vetoed = await python(['app.py', 'demo'], { DEBUG: 'true', TELEMETRY_ENABLED: 'false' });
    expect(vetoed.stderr).toBe('');
    const forced = await python(['app.py', 'demo'], { TELEMETRY_ENABLED: 'true' });
    expectWellFormed(parseEvents(forced.stderr));
    expect(forced.stdout).toBe(EXPECTED_DEMO);
  });

  it("sends events to the process's stderr when TELEMETRY_FILE is not set, never to a replaced sys.stderr", async () => {
    const result = await python(['app.py', 'demo'], { DEBUG: 'true' });
    expect(result.stdout).toBe(EXPECTED_DEMO);
    expect(entries(parseEvents(result.stderr), 'gather_both')).toHaveLength(1);
    const source = 'import io, contextlib, app\nbuf = io.StringIO()\nwith contextlib.redirect_stderr(buf):\n    app.add(1, 2)\nprint(repr(buf.getvalue()))';
    const redirected = await script(source, { DEBUG: 'true' });
    expect(redirected.stdout).toBe("''\n");
    expect(entries(parseEvents(redirected.stderr), 'add')).toHaveLength(1);
  });

  it('keeps every line whole and every thread its own parents when eight threads call at once (sampling off)', async () => {
    const file = join(dir, 'threads.jsonl');
    const source =
      'import threading, app\n' +
      'ts = [threading.Thread(target=lambda: [app.Counter().inc(i) for i in range(200)]) for _ in range(8)]\n' +
      '[t.start() for t in ts]; [t.join() for t in ts]\nprint("ok")';
    const env = { DEBUG: 'true', TELEMETRY_FILE: file, TELEMETRY_SAMPLING: 'off' };
    expect(await script(source, env)).toMatchObject({ code: 0, stdout: 'ok\n' });
    const events = readEvents(file);
    expectWellFormed(events);
    expect(entries(events, 'add')).toHaveLength(8 * 200);
    for (const add of entries(events, 'add')) expect(parentOf(events, add)?.function_name).toBe('Counter.inc');
  });

  it('starts writing events on SIGHUP and stops on the next one', async () => {
    const { whileOff, code, stdout, calls, events } = await sighupScenario('python3', ['app.py', 'sighup'], dir);
    expect(whileOff).toBe('');
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'ready\ndone\n' });
    expectSighupStory(calls);
    expectWellFormed(events);
    expect(new Set(events.map((e) => e.function_name))).toEqual(new Set(['session', 'phase', 'add']));
    expect(entries(events, 'phase').map((e) => e.args?.name)).toEqual(calls.filter((c) => c.traced).map((c) => `"${c.name}"`));
  });

  it("leaves a program's own SIGHUP handler in place", async () => {
    const source =
      'import os, signal\nsignal.signal(signal.SIGHUP, lambda *a: print("mine"))\n' +
      'import telemetry_runtime as _tm\nos.kill(os.getpid(), signal.SIGHUP)\nprint(_tm.on)';
    expect(await script(source)).toMatchObject({ code: 0, stdout: 'mine\nFalse\n' });
  });

  it('keeps running with unchanged output and counts dropped events when TELEMETRY_FILE cannot be opened', async () => {
    const env = { DEBUG: 'true', TELEMETRY_FILE: join(dir, 'missing-dir', 'events.jsonl') };
    const result = await python(['app.py', 'demo'], env);
    expect(result).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    const counted = await script('import app, telemetry_runtime as _tm\napp.add(1, 2)\nprint(_tm.dropped())', env);
    expect(counted.stdout).toBe('2\n');
  });

  it('keeps running with unchanged output when stderr is a broken pipe or closed', async () => {
    const broken = await python(['app.py', 'demo'], { DEBUG: 'true' }, { closeStderrEarly: true });
    expect(broken).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
    const closed = await run('sh', ['-c', 'exec 2>&-; exec python3 app.py demo'], {
      cwd: dir,
      env: cleanEnv({ DEBUG: 'true' }),
    });
    expect(closed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
  });

  it('is valid Python 3.8', async () => {
    const check = `import ast\nast.parse(open(${JSON.stringify(RUNTIME)}).read(), feature_version=(3, 8))\nprint("ok")`;
    expect((await script(check)).stdout).toBe('ok\n');
  });
});
