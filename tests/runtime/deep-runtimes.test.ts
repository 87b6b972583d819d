// Deep probes in every runtime, one table: fixtures/runtime/deep/ holds the same program in
// Python, TypeScript and Go, calling var, branch, loop/tick/done, caught and fin exactly in the
// contract's forms. Each row says how its language builds and runs it and what each shared
// scenario must write; every row runs the same tests with the real python3, node and go, and
// every event is checked against protocol/events.schema.json. What only one language has
// (strict tsc, the CommonJS lexer, go vet and inlining, panics, generators) follows the table.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  callsOf,
  eventsOf,
  exitEvent,
  expectDeepWellFormed,
  expectSampled,
  keptIterations,
  lineIn,
  lineWith,
  onlyCall,
  readDeepEvents,
  samplingEnv,
  SAMPLING_CASES,
  story,
  type DeepEvent,
} from './deep-events.js';
import { expectSchema, program, rows } from './deep-programs.js';
import { cleanEnv, GO_ENV, run } from './helpers.js';

describe.each(rows)('deep probes in the $lang runtime', (row) => {
  const p = program(row);

  it('writes well-formed deep events that match the event schema: inside their call, at their probe line, loops closed before the exit', () => {
    expectDeepWellFormed(p.demo);
    expectSchema(p.demo);
    const scan = callsOf(p.demo, row.name.scan)[0];
    expect(scan.line).toBe(lineWith(p.app, row.scanDef));
    expect(eventsOf(p.demo, scan, 'loop_entry')[0].line).toBe(lineIn(p.app, row.scanDef, row.loopProbe));
    const found = eventsOf(p.demo, scan, 'variable_change')[0];
    expect(found).toMatchObject({ variable: 'found', value: '4', line: lineWith(p.app, row.foundProbe) });
    expect(found).not.toHaveProperty('redacted');
  });

  it('counts the iterations a loop really ran when it is left by break, continue, return or an error', () => {
    const [broken, finished] = callsOf(p.demo, row.name.scan);
    expect(story(p.demo, broken)).toEqual(row.scanBroken);
    expect(story(p.demo, finished)).toEqual(row.scanFinished);
    expect(story(p.demo, onlyCall(p.demo, row.name.countdown)).filter((s) => s.startsWith('exit'))).toEqual(row.countdownExits);
    expect(story(p.demo, onlyCall(p.demo, row.name.firstNegative)).slice(-row.firstNegativeTail.length)).toEqual(row.firstNegativeTail);
    const explode = onlyCall(p.demo, row.name.explode);
    expect(story(p.demo, explode).slice(-row.explode.tail.length)).toEqual(row.explode.tail);
    expect(exitEvent(p.demo, explode)?.error).toEqual(row.explode.error);
  });

  it('closes an inner loop left early when the outer loop moves on or is done', () => {
    expect(story(p.demo, onlyCall(p.demo, row.leftEarly.name))).toEqual(row.leftEarly.story);
  });

  it.each(SAMPLING_CASES)('samples variable and branch events inside a loop with TELEMETRY_LOOP_EVENTS $setting', async ({ setting, limit }) => {
    const { result, events } = await p.traced(`sample-${setting}`, ['sample', '100'], samplingEnv(setting));
    expect(result).toMatchObject({ code: 0, stdout: 'sample 4950\n', stderr: '' });
    expectDeepWellFormed(events);
    expectSampled(events, onlyCall(events, row.name.sample), limit);
  });

  it('never writes a redacted value: secret-looking params and variables, values the engine left out, secret keys inside values', async () => {
    const { result, events, text } = await p.traced('secrets', ['secrets']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expectDeepWellFormed(events);
    expectSchema(events);
    const call = onlyCall(events, row.name.secrets);
    expect(call.args).toEqual(row.secrets.args);
    expect(eventsOf(events, call, 'variable_change').map((e) => [e.variable, e.value, e.redacted ?? false])).toEqual(row.secrets.vars);
    for (const secret of ['KOALA', 'EMU', 'QUOKKA', 'WOMBAT', 'DINGO']) expect(text).not.toContain(secret);
  });

  it('redacts by TELEMETRY_REDACT instead of the default pattern, params and variables alike', async () => {
    const { events, text } = await p.traced('secrets-custom', ['secrets'], { TELEMETRY_REDACT: '^CARD' });
    const call = onlyCall(events, row.name.secrets);
    expect(call.args).toMatchObject(row.secrets.customArgs);
    expect(eventsOf(events, call, 'variable_change').find((e) => e.variable === row.secrets.card)).toMatchObject({ redacted: true });
    for (const secret of ['4111', 'NUMBAT', 'WOMBAT']) expect(text).not.toContain(secret);
  });

  it('writes nothing and prints the same when telemetry is off', async () => {
    const file = join(p.dir, 'off.jsonl');
    for (const args of [['sample', '100'], ['secrets']]) {
      expect(await p.run(args, { TELEMETRY_FILE: file, TELEMETRY_LOOP_EVENTS: 'all' })).toMatchObject({ code: 0, stderr: '' });
    }
    expect(await p.run(['demo'], { TELEMETRY_FILE: file })).toMatchObject({ code: 0, stdout: row.demo, stderr: '' });
    expect(existsSync(file)).toBe(false);
  });

  it('keeps whole traces or none with OTEL_TRACES_SAMPLER=always_off and traceidratio 0, and everything with TELEMETRY_SAMPLING=off', async () => {
    const dropAll: Record<string, string>[] = [
      { OTEL_TRACES_SAMPLER: 'always_off' },
      { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' },
    ];
    for (const env of dropAll) {
      const { result, events } = await p.traced('sampled-out', ['demo'], env);
      expect(result).toMatchObject({ code: 0, stdout: row.demo, stderr: '' });
      expect(events).toEqual([]);
    }
    const { result, events } = await p.traced('sampling-off', ['demo'], { TELEMETRY_SAMPLING: 'off', OTEL_TRACES_SAMPLER: 'always_off' });
    expect(result).toMatchObject({ code: 0, stdout: row.demo });
    // The same events (goroutines interleave, so in any order).
    expect(events.map((e) => e.event_type).sort()).toEqual(p.demo.map((e) => e.event_type).sort());
  });

  it('samples a loop nested in a sampled-out iteration whole, counting its events in the outer loop', async () => {
    // grid 100 3: an inner loop of 3 turns, with one variable event each, in every turn of a loop of 100.
    const sum = 'grid 14850\n';
    const { result, events } = await p.traced('grid', ['grid', '100', '3']);
    expect(result).toMatchObject({ code: 0, stdout: sum, stderr: '' });
    expectDeepWellFormed(events);
    expectSchema(events);
    const call = onlyCall(events, row.name.grid);
    const kept = keptIterations(100, 16).length;
    const exits = eventsOf(events, call, 'loop_exit');
    expect(exits).toHaveLength(kept + 1);
    expect(exits.slice(0, -1).every((e) => e.iterations === 3 && e.suppressed === 0)).toBe(true);
    // Each inner loop left out counts its entry, its exit and its three events in the outer loop.
    expect(exits.at(-1)).toMatchObject({ iterations: 100, suppressed: (100 - kept) * (3 + 2) });
    expect(eventsOf(events, call, 'variable_change')).toHaveLength(3 * kept);
    const all = await p.traced('grid-all', ['grid', '100', '3'], { TELEMETRY_SAMPLING: 'off' });
    expect(all.result.stdout).toBe(sum);
    expect(eventsOf(all.events, onlyCall(all.events, row.name.grid), 'loop_exit')).toHaveLength(101);
    expect(eventsOf(all.events, onlyCall(all.events, row.name.grid), 'variable_change')).toHaveLength(300);
  });
});

describe.each(rows)('call limits in the $lang runtime', (row) => {
  const p = program(row);

  it("keeps a function's first calls, then a few a second, and reports every call left out on its caller's exit", async () => {
    const { result, events } = await p.traced('hot', ['hot', '1000', '500']);
    expect(result).toMatchObject({ code: 0, stdout: 'hot 332833500 41541750\n', stderr: '' });
    expectDeepWellFormed(events);
    expectSchema(events);
    const [first, second] = callsOf(events, row.name.hot);
    const squares = (call: DeepEvent) => events.filter((e) => e.event_type === 'function_entry' && e.parent_correlation_id === call.correlation_id);
    const dropped = (call: DeepEvent) => exitEvent(events, call)?.dropped_calls;
    // The first 100 calls, then at most 10 in the same second (a slow machine may open a second window).
    const kept = squares(first).length;
    expect(kept).toBeGreaterThanOrEqual(110);
    expect(kept).toBeLessThanOrEqual(120);
    const square = squares(first)[0];
    const where = { function_name: row.name.square, file: square.file, line: square.line };
    expect(dropped(first)).toEqual([{ ...where, count: 1000 - kept }]);
    expect(dropped(second)).toEqual([{ ...where, count: 500 - squares(second).length }]);
    const off = await p.traced('hot-off', ['hot', '1000', '500'], { TELEMETRY_SAMPLING: 'off' });
    expect(callsOf(off.events, row.name.square)).toHaveLength(1500);
    expect(off.events.some((e) => e.dropped_calls !== undefined)).toBe(false);
  });
});

describe('deep probes: what only one runtime has', () => {
  describe('javascript', () => {
    const p = program(rows[1]);

    it('exports the deep probes to ES modules through the CommonJS module lexer', async () => {
      const source = 'import * as t from "./telemetry-runtime.cjs"; console.log(["var","branch","loop","done","caught","fin"].map((k) => typeof t[k]).join())';
      const result = await run(process.execPath, ['--input-type=module', '-e', source], { cwd: p.dir, env: cleanEnv() });
      expect(result.stdout).toBe('function,function,function,function,function,function\n');
    });

    it('names the case or default a switch took, and keeps each async call its own loop across awaits', () => {
      const [one, many] = callsOf(p.demo, 'kind');
      expect(eventsOf(p.demo, one, 'branch')).toEqual([expect.objectContaining({ branch: 'case', condition: '1' })]);
      expect(eventsOf(p.demo, many, 'branch')).toEqual([expect.objectContaining({ branch: 'default', condition: null })]);
      const polls = callsOf(p.demo, 'poll');
      expect(polls.map((c) => story(p.demo, c).filter((s) => s.startsWith('exit')))).toEqual([['exit for 3'], ['exit for 4']]);
      expect(polls.map((c) => eventsOf(p.demo, c, 'variable_change').map((e) => e.value))).toEqual([['0', '1', '3'], ['0', '1', '3', '6']]);
      expect(story(p.demo, onlyCall(p.demo, 'keysOf'))).toContain('exit for-in 3');
    });

    it('keeps a generator its loop across yields', () => {
      const [all, closed] = callsOf(p.demo, 'pages');
      expect(story(p.demo, all)).toEqual(['function_entry', 'loop while', 'exit while 3', 'function_exit']);
      expect(story(p.demo, closed)).toEqual(['function_entry', 'loop while', 'exit while 2', 'function_exit']);
    });

    it('reports the caught error when catch has a binding, and null without one or in finally', () => {
      const guarded = onlyCall(p.demo, 'guarded');
      expect(eventsOf(p.demo, guarded, 'exception')).toEqual([
        expect.objectContaining({ clause: 'catch', error: { type: 'RangeError', message: 'zero in 3,2,0,1' } }),
        expect.objectContaining({ clause: 'finally', error: null }),
        expect.objectContaining({ clause: 'catch', error: null }),
      ]);
      expect(eventsOf(p.demo, guarded, 'exception')[0].line).toBe(lineWith(p.app, '} catch (e) {') + 1);
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
      const file = join(p.dir, 'nonsense.jsonl');
      const result = await run(process.execPath, ['-e', source], { cwd: p.dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file }) });
      expect(result).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
      const events = readDeepEvents(file);
      expect(events.map((e) => e.event_type)).toEqual([
        'function_entry', 'variable_change', 'branch', 'exception', 'exception', 'loop_entry', 'loop_exit', 'function_exit',
      ]);
      expectDeepWellFormed(events);
      expect(events[1]).toMatchObject({ value: '[Proxy]', line: 1 });
    });
  });

  describe('python', () => {
    const p = program(rows[0]);

    it('keeps a loop open across yields and closes it when the generator finishes or is closed', () => {
      const [all, closed] = callsOf(p.demo, 'pages');
      expect(story(p.demo, all)).toEqual(['function_entry', 'loop while', 'exit while 3', 'function_exit']);
      expect(story(p.demo, closed)).toEqual(['function_entry', 'loop while', 'exit while 2', 'function_exit']);
      expect(exitEvent(p.demo, closed)).not.toHaveProperty('error');
    });

    it('reports the handled exception in except, and in finally the one passing through or null', () => {
      const guarded = eventsOf(p.demo, onlyCall(p.demo, 'guarded'), 'exception');
      expect(guarded).toEqual([
        expect.objectContaining({ clause: 'except', error: { type: 'ZeroDivisionError', message: 'zero in [3, 2, 0, 1]' } }),
        expect.objectContaining({ clause: 'finally', error: null }),
      ]);
      expect(guarded[0].line).toBe(lineWith(p.app, 'except ZeroDivisionError:') + 1);
      const propagate = onlyCall(p.demo, 'propagate');
      expect(eventsOf(p.demo, propagate, 'exception')).toEqual([
        expect.objectContaining({ clause: 'finally', error: { type: 'KeyError', message: "'missing'" } }),
      ]);
      expect(exitEvent(p.demo, propagate)?.error).toEqual({ type: 'KeyError', message: "'missing'" });
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
      const file = join(p.dir, 'nonsense.jsonl');
      const result = await run('python3', ['-c', source], { cwd: p.dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: file }) });
      expect(result).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
      const events = readDeepEvents(file);
      expectDeepWellFormed(events);
      expect(events.find((e) => e.event_type === 'variable_change')).toMatchObject({ value: '<unrepresentable Bad>', line: 1 });
      expect(events.find((e) => e.event_type === 'exception')?.error).toEqual({ type: 'Odd', message: '<unrepresentable Odd>' });
    });
  });

  describe('go', () => {
    const p = program(rows[2]);
    const go = (args: string[]) => run('go', args, { cwd: p.dir, env: cleanEnv(GO_ENV) });

    it('passes go vet, the hand-instrumented program and the runtime alike', async () => {
      expect(await go(['vet', './...'])).toMatchObject({ code: 0, stderr: '' });
    }, 120_000);

    it("passes the runtime's own tests: Tick and the disabled probes allocate nothing", async () => {
      const result = await go(['test', '-count=1', '-run', 'Tick|Disabled', './telemetry']);
      expect(result, result.stdout).toMatchObject({ code: 0 });
      expect(result.stdout).toMatch(/^ok\s+example\.com\/deep\/telemetry/m);
    }, 120_000);

    it('lets the compiler inline Loop, Tick and Done at every probe', async () => {
      const result = await go(['build', '-o', join(p.dir, 'deep-m'), '-gcflags=example.com/deep/...=-m', '.']);
      expect(result.code).toBe(0);
      for (const [call, count] of [
        ['Loop', p.app.split('_tm.Loop(').length - 1],
        ['(*LoopSpan).Tick', p.app.split('.Tick()').length - 1],
        ['(*LoopSpan).Done', p.app.split('.Done()').length - 1 - 1], // less wg.Done()
      ] as const) {
        const inlined = result.stderr.split('\n').filter((line) => line.includes(`inlining call to telemetry.${call}`));
        expect(inlined, call).toHaveLength(count);
      }
    }, 120_000);

    it('writes the panic as an exception from Exit and re-panics; a deferred recover stops it', () => {
      const explode = onlyCall(p.demo, 'Explode');
      expect(eventsOf(p.demo, explode, 'exception')).toEqual([
        expect.objectContaining({ clause: 'panic', error: { type: 'string', message: 'zero in [3 2 0 1]' }, line: explode.line }),
      ]);
      expect(story(p.demo, onlyCall(p.demo, 'Guarded'))).toEqual(['function_entry', 'function_exit']);
    });

    it('names the case, default or type-case a switch took, and reports a checked error with its Go type', () => {
      expect(callsOf(p.demo, 'Kind').map((c) => eventsOf(p.demo, c, 'branch').map((e) => [e.branch, e.condition]))).toEqual([
        [['type-case', 'int'], ['case', '1']],
        [['type-case', 'int'], ['default', null]],
        [['default', null]],
      ]);
      const open = onlyCall(p.demo, 'Open');
      expect(eventsOf(p.demo, open, 'exception')).toEqual([
        expect.objectContaining({
          clause: 'error',
          error: { type: '*fs.PathError', message: 'open /nonexistent/deep: no such file or directory' },
          line: lineWith(p.app, '_tm.Caught('),
        }),
      ]);
      expect(exitEvent(p.demo, open)).not.toHaveProperty('error');
    });

    it("keeps each goroutine's loops in its own call", () => {
      const works = callsOf(p.demo, 'Work');
      expect(works).toHaveLength(8);
      for (const work of works) {
        expect(story(p.demo, work)).toEqual(['function_entry', 'loop for', `exit for ${Number(work.args?.n)}`, 'function_exit']);
      }
    });

    it('closes the open loops and records the panic when a panic crashes the program', async () => {
      const { result, events } = await p.traced('crash', ['crash']);
      expect(result).toMatchObject({ code: 2, stdout: 'before crash\n' });
      expect(result.stderr).toMatch(/^panic: crash at 3\b/);
      expectDeepWellFormed(events);
      expect(story(events, onlyCall(events, 'Crash'))).toEqual(['function_entry', 'loop for', 'panic string', 'exit for 3', 'function_exit']);
      expect(story(events, onlyCall(events, 'main'))).toEqual(['function_entry', 'panic string', 'function_exit']);
      const off = await p.run(['crash']);
      expect(off).toMatchObject({ code: 2, stdout: 'before crash\n' });
      expect(off.stderr).toMatch(/^panic: crash at 3\n\ngoroutine 1 \[running\]:\nmain\.Crash\(/);
    });
  });
});
