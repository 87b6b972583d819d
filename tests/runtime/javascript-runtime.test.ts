// The JavaScript runtime (server/languages/javascript/runtime/telemetry-runtime.cjs and its
// .d.cts), exercised by instrumenting the plain fixtures/runtime/javascript programs with the
// real engine: a CommonJS program, an ES module and a TypeScript program compiled with tsc,
// all run with the real node.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
  repoRoot,
  run,
  scratch,
  expectSighupStory,
  sighupScenario,
  writeRuntime,
  type Instrumented,
} from './helpers.js';

const EXPECTED_DEMO = 'add 5\nlogin 10\nsafe 4 | caught negative: -1\ncounter 12\nconsume 14\ngather 530\n';
// Every function and method each program defines, in source order. Arrows with an expression
// body (sleep, callbacks) are not sites: they have no block to wrap.
const FUNCTIONS = ['add', 'square', 'login', 'risky', 'safe', 'Counter.constructor', 'Counter.inc', 'countdown']
  .concat(['consume', 'fetchItem', 'gatherBoth', 'phase', 'session', 'demo', 'sighup']);
const PROGRAMS = [
  { kind: 'a CommonJS program', source: 'app.cjs', entry: 'app.cjs', lang: 'javascript', esm: false },
  { kind: 'an ES module', source: 'app.mjs', entry: 'app.mjs', lang: 'javascript', esm: true },
  { kind: 'a TypeScript program compiled by tsc', source: 'app.ts', entry: 'app.js', lang: 'typescript', esm: true },
] as const;

let dir: string;
let engine: Engine;
const instrumented = new Map<string, Instrumented>();
let tsc: { code: number; output: string };
const node = (args: string[], env: Record<string, string> = {}, extra = {}) =>
  run(process.execPath, args, { cwd: dir, env: cleanEnv(env), ...extra });
const script = (source: string, env: Record<string, string> = {}) => node(['-e', source], env);

beforeAll(async () => {
  engine = await Engine.create();
  dir = scratch();
  writeRuntime(engine, 'javascript', dir);
  for (const { source, lang, esm } of PROGRAMS) {
    const opts = { runtimeImport: './telemetry-runtime.cjs', esm };
    instrumented.set(source, await instrumentFixture(engine, lang, `javascript/${source}`, dir, opts));
  }
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  const compilerOptions = {
    strict: true,
    module: 'nodenext',
    moduleResolution: 'nodenext',
    target: 'es2022',
    skipLibCheck: true,
    types: ['node'],
    typeRoots: [join(repoRoot, 'node_modules/@types')],
  };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['app.ts'] }));
  tsc = await promisify(execFile)(join(repoRoot, 'node_modules/.bin/tsc'), ['-p', dir]).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({ code: err.code, output: err.stdout + err.stderr }),
  );
}, 120_000);
afterAll(() => removeScratch(dir));

it('type-checks the probe forms against telemetry-runtime.d.cts under strict TypeScript', () => {
  expect(tsc).toEqual({ code: 0, output: '' });
});

describe.each(PROGRAMS)('the JavaScript runtime in $kind', ({ source, entry }) => {
  const demoEvents = async (label: string) => {
    const file = join(dir, `${entry}-${label}.jsonl`);
    const result = await node([entry, 'demo'], { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(result).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    return readEvents(file);
  };

  it(`instruments every function that ${source} defines, importing the runtime as its module system requires`, () => {
    const app = instrumented.get(source)!;
    expect(app.added).toEqual(FUNCTIONS);
    expect(app.skipped).toEqual([]);
    expect(app.needsLlm).toEqual([]);
    expect(app.text).toContain(source === 'app.cjs' ? 'const _tm = require(' : 'import * as _tm from ');
  });

  it('writes a balanced, well-formed event stream and leaves stdout unchanged when DEBUG=true', async () => {
    // Node runs the plain .cjs and .mjs as they are; the TypeScript program only runs compiled.
    if (source !== 'app.ts') {
      const plain = await node([fixturePath(`javascript/${source}`), 'demo']);
      expect(plain).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    }
    const off = await node([entry, 'demo']);
    expect(off).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    const events = await demoEvents('balanced');
    expectWellFormed(events);
    const add = call(events, 'add', 'a', '2');
    const line = lineOf(instrumented.get(source)!.original, 'function add(');
    expect(add).toMatchObject({ file: source, line, caller: 'demo' });
    expect(parentOf(events, add)).toMatchObject({ function_name: 'demo', parent_correlation_id: null, caller: null });
    expect(exitOf(events, add)?.return).toBe('5');
    const inc = call(events, 'Counter.inc', 'by', '7');
    expect(parentOf(events, call(events, 'add', 'a', '5'))?.correlation_id).toBe(inc.correlation_id);
  });

  it('records the error a function threw on its exit and nothing on the caller that caught it', async () => {
    const events = await demoEvents('throw');
    const risky = call(events, 'risky', 'n', '-1');
    expect(exitOf(events, risky)?.error).toEqual({ type: 'RangeError', message: 'negative: -1' });
    const safe = parentOf(events, risky)!;
    expect(exitOf(events, safe)).not.toHaveProperty('error');
    expect(exitOf(events, safe)?.return).toBe('"caught negative: -1"');
  });

  it('keeps each of two concurrent async calls under its own call across awaits', async () => {
    const events = await demoEvents('async');
    const gather = entries(events, 'gatherBoth')[0];
    for (const n of ['10', '20']) {
      const fetch = call(events, 'fetchItem', 'n', n);
      expect(fetch.parent_correlation_id).toBe(gather.correlation_id);
      expect(parentOf(events, call(events, 'square', 'x', n))?.correlation_id).toBe(fetch.correlation_id);
    }
    // fetchItem(20) waits less (10 against 150 ms: a margin a loaded machine cannot close), so its
    // calls come first although fetchItem(10) started first.
    const order = entries(events, 'square').map((e) => e.args?.x);
    expect(order.indexOf('20')).toBeLessThan(order.indexOf('10'));
    expect(parentOf(events, call(events, 'add', 'a', '110'))?.function_name).toBe('gatherBoth');
  });

  it("gives a generator's calls the generator as parent and the consumer's calls between next() the consumer", async () => {
    const events = await demoEvents('generator');
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

  it('writes nothing at all when telemetry is off', async () => {
    const file = join(dir, `${entry}-off.jsonl`);
    expect(await node([entry, 'demo'], { TELEMETRY_FILE: file, DEBUG: 'no' })).toMatchObject({ code: 0, stderr: '' });
    expect(existsSync(file)).toBe(false);
  });

  it('starts writing events on SIGHUP and stops on the next one', async () => {
    const { whileOff, code, stdout, calls, events } = await sighupScenario(process.execPath, [entry, 'sighup'], dir);
    expect(whileOff).toBe('');
    expect({ code, stdout }).toEqual({ code: 0, stdout: 'ready\ndone\n' });
    expectSighupStory(calls);
    expectWellFormed(events);
    expect(new Set(events.map((e) => e.function_name))).toEqual(new Set(['session', 'phase', 'add']));
    expect(entries(events, 'phase').map((e) => e.args?.name)).toEqual(calls.filter((c) => c.traced).map((c) => `"${c.name}"`));
  });
});

describe('the JavaScript runtime', () => {
  it('exports its whole API to ES modules through the CommonJS module lexer', async () => {
    const result = await node([
      '--input-type=module',
      '-e',
      'import * as t from "./telemetry-runtime.cjs"; console.log(Object.keys(t).filter((k) => typeof t[k] === "function").sort().join())',
    ]);
    expect(result.stdout).toBe('branch,caught,done,dropped,enter,exit,fail,fin,loop,on,otlpStats,resume,ret,retAwaited,retTyped,suspend,var\n');
  });

  it('redacts secret names at any depth, bounds previews, and never runs getters or proxy traps', async () => {
    const file = join(dir, 'preview.jsonl');
    const source = `
      let touched = 0;
      const opts = { get lazy() { touched++; return 1; }, headers: { Cookie: "session-QUUX" }, big: new Array(1e6).fill(7) };
      const proxy = new Proxy({}, { ownKeys() { touched++; return []; }, get() { touched++; } });
      function f(opts, proxy, authToken) {
        return opts;
      }
      f(opts, proxy, "bearer-ZYZZY");
      console.log(touched);`;
    const opts = { relPath: 'x.js', runtimeImport: './telemetry-runtime.cjs' };
    const out = await instrumentText(engine, 'javascript', source, opts);
    expect(out.added).toEqual(['lazy', 'ownKeys', 'get', 'f']);
    const result = await script(out.text, { DEBUG: 'true', TELEMETRY_FILE: file });
    expect(result).toMatchObject({ code: 0, stdout: '0\n', stderr: '' });
    // An instrumented getter or trap that ran would have its own entry.
    expect(entries(readEvents(file)).map((e) => e.function_name)).toEqual(['f']);
    const [entry] = entries(readEvents(file));
    expect(entry.args).toEqual({
      opts: '{"lazy": [Getter], "headers": {"Cookie": <redacted>}, "big": [7, 7, 7, 7, 7, 7, 7, 7, …]}',
      proxy: '[Proxy]',
      authToken: '<redacted>',
    });
    expect(readFileSync(file, 'utf8')).not.toMatch(/QUUX|ZYZZY/);
  });

  it('writes to stderr by default and lets TELEMETRY_ENABLED override DEBUG both ways', async () => {
    const forced = await node(['app.cjs', 'demo'], { TELEMETRY_ENABLED: 'true' });
    expect(forced.stdout).toBe(EXPECTED_DEMO);
    expectWellFormed(parseEvents(forced.stderr));
    const vetoed = await node(['app.cjs', 'demo'], { DEBUG: 'true', TELEMETRY_ENABLED: 'false' });
    expect(vetoed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
  });

  it("leaves a program's own SIGHUP listener alone", async () => {
    // The switch is read once every SIGHUP listener has run (a runtime listener would have toggled
    // it by then), not after a fixed 200 ms, which a loaded machine could pass before the signal is
    // handled. The timer keeps the process alive until then (signal handles do not), 30 s at most.
    const source = `
      const bound = setTimeout(() => console.log("no SIGHUP within 30 s"), 30000);
      process.on("SIGHUP", () => {
        console.log("mine");
        setImmediate(() => (console.log(_tm.on()), clearTimeout(bound)));
      });
      const _tm = require("./telemetry-runtime.cjs");
      console.log(process.listenerCount("SIGHUP"));
      process.kill(process.pid, "SIGHUP");`;
    expect(await script(source)).toMatchObject({ code: 0, stdout: '1\nmine\nfalse\n' });
  });

  it('keeps running with unchanged output and counts dropped events when TELEMETRY_FILE cannot be opened', async () => {
    const env = { DEBUG: 'true', TELEMETRY_FILE: join(dir, 'missing-dir', 'events.jsonl') };
    expect(await node(['app.cjs', 'demo'], env)).toMatchObject({ code: 0, stdout: EXPECTED_DEMO, stderr: '' });
    const counted = await script(
      'const _tm = require("./telemetry-runtime.cjs"); _tm.exit(_tm.enter("f", "x.js", 1, {})); console.log(_tm.dropped())',
      env,
    );
    expect(counted.stdout).toBe('2\n');
  });

  it('keeps running with unchanged output when stderr is a broken pipe or closed', async () => {
    const broken = await node(['app.cjs', 'demo'], { DEBUG: 'true' }, { closeStderrEarly: true });
    expect(broken).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
    const counted = await node(
      ['-e', 'const _tm = require("./telemetry-runtime.cjs"); _tm.exit(_tm.enter("f", "x.js", 1, {})); console.log(_tm.dropped())'],
      { DEBUG: 'true' },
      { closeStderrEarly: true },
    );
    expect(counted).toMatchObject({ code: 0, stdout: '2\n' });
    const closed = await run('sh', ['-c', `exec 2>&-; exec "${process.execPath}" app.cjs demo`], {
      cwd: dir,
      env: cleanEnv({ DEBUG: 'true' }),
    });
    expect(closed).toMatchObject({ code: 0, stdout: EXPECTED_DEMO });
  });
});
