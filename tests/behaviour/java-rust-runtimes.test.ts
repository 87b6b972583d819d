// Java and Rust, end to end with the real javac/java and rustc: the hand-instrumented fixtures (what a
// correct model answer looks like) pass the compile check their language descriptor gives, print
// exactly what the originals print with telemetry off (and write nothing), write balanced,
// schema-valid events with it on, record exceptions, Result errors and panics, toggle on SIGHUP,
// and strip back to the originals byte for byte through the engine.
import { Ajv } from 'ajv';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSchema } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import { languageById } from '../../server/src/languages/registry.js';
import { cleanEnv, entries, exitOf, expectWellFormed, readEvents, repoRoot, run, sleep } from '../runtime/helpers.js';

/** The runner's environment without telemetry switches, and without backtraces in panic messages. */
const env = (extra: Record<string, string> = {}) => cleanEnv({ RUST_BACKTRACE: '0', ...extra });

const validate = new Ajv({ allErrors: true, strict: false }).compile(eventSchema);

interface Case {
  lang: 'java' | 'rust';
  file: string;
  original: string;
  instrumented: string;
  /** Builds a runnable program from dir/file into out; returns the command that runs it. */
  build(dir: string, out: string, runtime: string[]): Promise<[string, string[]]>;
}

const cases: Case[] = [
  {
    lang: 'java',
    file: 'Calc.java',
    original: 'fixtures/java/Calc.java',
    instrumented: 'fixtures/java/instrumented/Calc.java',
    async build(dir, out, runtime) {
      await ok('javac', ['-nowarn', '-proc:none', '-d', out, join(dir, 'Calc.java'), ...runtime], dir);
      return ['java', ['-cp', out, 'demo.Calc']];
    },
  },
  {
    lang: 'rust',
    file: 'main.rs',
    original: 'fixtures/rust/main.rs',
    instrumented: 'fixtures/rust/instrumented/main.rs',
    async build(dir, out) {
      await ok('rustc', ['--edition', '2021', '-o', join(out, 'prog'), join(dir, 'main.rs')], dir);
      return [join(out, 'prog'), []];
    },
  },
];

async function ok(command: string, args: string[], cwd: string): Promise<void> {
  const result = await run(command, args, { cwd, env: env() });
  expect(result.code, `${command} ${args.join(' ')}\n${result.stderr}`).toBe(0);
}

/** The compile check's argv with its placeholders filled in, as the validation runner expands them. */
function expand(argv: readonly string[], file: string, out: string, runtime: string[]): string[] {
  return argv.flatMap((a) => (a === '{runtime...}' ? runtime : [a.replaceAll('{file}', file).replaceAll('{dir}', dirname(file)).replaceAll('{out}', out)]));
}

/** A folder holding `text` as `file` and the runtime files beside it (Java's under _tm/). */
function project(engine: Engine, c: Case, text: string): { dir: string; runtime: string[] } {
  const dir = mkdtempSync(join(tmpdir(), `telemetry-${c.lang}-`));
  writeFileSync(join(dir, c.file), text);
  const runtime = engine.runtimeFiles(c.lang).map(({ fileName, content }) => {
    mkdirSync(dirname(join(dir, fileName)), { recursive: true });
    writeFileSync(join(dir, fileName), content);
    return join(dir, fileName);
  });
  return { dir, runtime };
}

/** A panic message names the source path and line (which probes move) and the thread's id. */
const withoutLines = (s: string) => s.replace(/\S*\.rs:\d+:\d+/g, 'FILE:L:C').replace(/thread '(\w+)' \(\d+\)/g, "thread '$1'");

describe.each(cases)('the $lang fixture, instrumented as a model would', (c) => {
  let engine: Engine;
  let original: string;
  let instrumented: string;
  const dirs: string[] = [];
  let plain: [string, string[]];
  let probed: [string, string[]];
  let probedDir: string;
  const timings: string[] = [];

  beforeAll(async () => {
    engine = await Engine.create();
    await engine.ready(c.lang);
    original = readFileSync(join(repoRoot, c.original), 'utf8');
    instrumented = readFileSync(join(repoRoot, c.instrumented), 'utf8');
    const before = project(engine, c, original);
    const after = project(engine, c, instrumented);
    dirs.push(before.dir, after.dir);
    probedDir = after.dir;
    const outs = [join(before.dir, 'out'), join(after.dir, 'out')];
    outs.forEach((o) => mkdirSync(o));
    const started = performance.now();
    plain = await c.build(before.dir, outs[0]!, before.runtime);
    probed = await c.build(after.dir, outs[1]!, after.runtime);
    timings.push(`${c.lang}: both builds ${Math.round(performance.now() - started)} ms`);
  }, 180_000);

  afterAll(() => {
    console.log(timings.map((t) => `[behaviour] ${t}`).join('\n'));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it('passes the compile check its language descriptor gives, as the original does', async () => {
    const check = languageById(c.lang).compileChecks![0];
    for (const text of [original, instrumented]) {
      const { dir, runtime } = project(engine, c, text);
      dirs.push(dir);
      const out = join(dir, 'check-out');
      mkdirSync(out);
      const [command, ...args] = expand(check.argv, join(dir, c.file), out, runtime);
      const started = performance.now();
      const result = await run(command!, args, { cwd: dir, env: env() });
      timings.push(`${c.lang}: compile check ${text === original ? 'original' : 'instrumented'} ${Math.round(performance.now() - started)} ms`);
      expect(result.code, result.stderr).toBe(0);
    }
  }, 120_000);

  it('rejects a file whose probe calls something outside the runtime, through the same compile check', async () => {
    const check = languageById(c.lang).compileChecks![0];
    const broken = c.lang === 'java' ? instrumented.replace('_tm.Telemetry.ret(__tel, a / b)', '_tm.Telemetry.retur(__tel, a / b)')
      : instrumented.replace('crate::telemetry_runtime::ret(&__tel, Ok(a / b))', 'crate::telemetry_runtime::retur(&__tel, Ok(a / b))');
    expect(broken).not.toBe(instrumented);
    const { dir, runtime } = project(engine, c, broken);
    dirs.push(dir);
    mkdirSync(join(dir, 'check-out'));
    const [command, ...args] = expand(check.argv, join(dir, c.file), join(dir, 'check-out'), runtime);
    const result = await run(command!, args, { cwd: dir, env: env() });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/retur/);
  }, 120_000);

  it('compiles the runtime API example the prompt carries, so a model copying it writes valid code', async () => {
    const api = languageById(c.lang).runtimeApi!;
    const text = c.lang === 'java' ? `package demo;\n\nclass Calc {\n${api.example.after}\n}\n` : `mod telemetry_runtime;\n\n${api.example.after}\n`;
    const { dir, runtime } = project(engine, c, text);
    dirs.push(dir);
    mkdirSync(join(dir, 'check-out'));
    const [command, ...args] = expand(languageById(c.lang).compileChecks![0].argv, join(dir, c.file), join(dir, 'check-out'), runtime);
    const result = await run(command!, args, { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
  }, 120_000);

  it.runIf(c.lang === 'rust')('checks a module file that does not declare the runtime itself, as its crate root would', async () => {
    const api = languageById('rust').runtimeApi!;
    const text = `//! A utility module: its crate root declares telemetry_runtime.\n#![allow(clippy::all)]\n\n${api.example.after}\n`;
    const { dir, runtime } = project(engine, c, text);
    dirs.push(dir);
    mkdirSync(join(dir, 'check-out'));
    const [command, ...args] = expand(languageById('rust').compileChecks![0].argv, join(dir, c.file), join(dir, 'check-out'), runtime);
    const result = await run(command!, args, { cwd: dir, env: env() });
    expect(result.code, result.stderr).toBe(0);
  }, 120_000);

  it('prints what the original prints and writes no event with telemetry off, even with TELEMETRY_FILE set', async () => {
    const events = join(probedDir, 'off.jsonl');
    const a = await run(plain[0], plain[1], { cwd: probedDir, env: env() });
    const b = await run(probed[0], probed[1], { cwd: probedDir, env: env({ TELEMETRY_FILE: events }) });
    expect(b.code).toBe(a.code);
    expect(b.stdout).toBe(a.stdout);
    expect(withoutLines(b.stderr)).toBe(withoutLines(a.stderr));
    expect(existsSync(events)).toBe(false);
  }, 60_000);

  it('writes balanced, schema-valid events whose parents resolve with DEBUG=true, and prints the same', async () => {
    const file = join(probedDir, 'on.jsonl');
    const a = await run(plain[0], plain[1], { cwd: probedDir, env: env() });
    const started = performance.now();
    const b = await run(probed[0], probed[1], { cwd: probedDir, env: env({ DEBUG: 'true', TELEMETRY_FILE: file }) });
    timings.push(`${c.lang}: instrumented run with telemetry on ${Math.round(performance.now() - started)} ms`);
    expect(b.stdout).toBe(a.stdout);
    const events = readEvents(file);
    for (const e of events) expect(validate(e) ? [] : validate.errors, JSON.stringify(e).slice(0, 200)).toEqual([]);
    expectWellFormed(events);
    // Every function the model probed ran under main (the serve loop does not run here).
    const names = new Set(entries(events).map((e) => e.function_name));
    expect(names.size).toBeGreaterThanOrEqual(5);
    for (const e of entries(events)) {
      expect(e.file).toBe(c.original);
      if (e.function_name !== (c.lang === 'java' ? 'Calc.main' : 'main')) expect(e.parent_correlation_id).not.toBeNull();
    }
  }, 60_000);

  it('records how calls failed: the exception, the Err returned or passed up by `?`, the panic', async () => {
    const file = join(probedDir, 'errors.jsonl');
    await run(probed[0], probed[1], { cwd: probedDir, env: env({ TELEMETRY_ENABLED: 'on', TELEMETRY_FILE: file }) });
    const events = readEvents(file);
    const errorsOf = (name: string) => entries(events, name).map((e) => exitOf(events, e)!.error ?? null);
    if (c.lang === 'java') {
      expect(errorsOf('Calc.divide')).toEqual([{ type: 'java.lang.IllegalArgumentException', message: 'division by zero' }, null]);
      expect(errorsOf('Calc.main')).toEqual([null]);
      const args = entries(events, 'Calc.add')[0]!.args;
      expect(args).toEqual({ a: '1', b: '2' });
      expect(exitOf(events, entries(events, 'Calc.add')[0]!)!.return).toBe('6');
      expect(exitOf(events, entries(events, 'Calc.evens')[0]!)!.return).toBe('[0, 2, 4, 6]');
      expect(entries(events, 'Calc.initial').map((e) => [e.args, exitOf(events, e)!.return])).toEqual([
        [{ s: '"ada"' }, '"a"'],
        [{ s: '""' }, '"?"'],
      ]);
    } else {
      const [good, bad] = errorsOf('parse_sum');
      expect(good).toBeNull();
      expect(bad).toEqual({ type: 'core::num::error::ParseIntError', message: 'ParseIntError { kind: InvalidDigit }' });
      expect(errorsOf('checked_div')).toEqual([null, { type: 'alloc::string::String', message: '"divide 7 by zero"' }]);
      expect(errorsOf('boom')).toEqual([{ type: 'panic', message: 'too big: 5' }]);
      expect(entries(events, 'parse_sum')[0]!.args).toEqual({ items: '["1", " 2", "3 "]' });
    }
  }, 60_000);

  it('turns events on and off again on SIGHUP in a running program', async () => {
    const file = join(probedDir, 'sighup.jsonl');
    const child = spawn(probed[0], [...probed[1], 'serve'], { cwd: probedDir, env: env({ TELEMETRY_FILE: file }), stdio: 'pipe' });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let lines = 0;
    let wake: (() => void) | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      lines += chunk.split('\n').length - 1;
      wake?.();
    });
    /** One request, answered: the program has made its calls once this returns. */
    const call = async () => {
      const want = lines + 1;
      child.stdin.write('x\n');
      const deadline = Date.now() + 20_000;
      while (lines < want) {
        if (Date.now() > deadline) throw new Error('no answer');
        await Promise.race([new Promise<void>((r) => (wake = r)), sleep(100)]);
      }
    };
    const count = () => readEvents(file).length;
    /**
     * Signals land asynchronously (the JVM's signal thread may run late on a loaded machine): call
     * until the program's events show the new state, for at most 20 s.
     */
    const toggleUntil = async (on: boolean) => {
      child.kill('SIGHUP');
      for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
        const before = count();
        await call();
        if ((count() > before) === on) return;
        await sleep(10);
      }
      throw new Error(`SIGHUP did not turn events ${on ? 'on' : 'off'} within 20 s`);
    };
    await call();
    expect(count()).toBe(0);
    await toggleUntil(true);
    await toggleUntil(false);
    const settled = count();
    await call();
    expect(count()).toBe(settled);
    child.stdin.end();
    expect(await exited).toBe(0);
    const events = readEvents(file);
    expect(entries(events).some((e) => e.function_name === (c.lang === 'java' ? 'Calc.add' : 'Counter.add'))).toBe(true);
  }, 60_000);

  it('strips back to the original byte for byte through the engine', () => {
    const stripped = engine.strip(c.lang, instrumented);
    expect(stripped.failed).toEqual([]);
    expect(stripped.text).toBe(original);
  });
});

