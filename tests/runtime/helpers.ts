// Shared by the runtime tests: instrument a plain fixture with the real engine, run the
// result, read its JSONL events, and check the properties every event stream must have
// whatever the language.
import { spawn, type SpawnOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import type { AddResult, Engine } from '../../server/src/engine/engine.js';
import type { EngineOptions, LanguageId } from '../../server/src/engine/types.js';
import { AFTER_EXIT_EVENT_TYPES, EVENT_TYPES, INNER_EVENT_TYPES, type TelemetryEvent } from '../../protocol/events.js';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const runtimeDir = (lang: 'python' | 'javascript' | 'go') => join(repoRoot, 'server/languages', lang, 'runtime');
/** Plain programs, without probes: fixtures/runtime/<folder>/<file>. */
export const fixturePath = (fixture: string) => join(repoRoot, 'fixtures/runtime', fixture);

export interface Instrumented extends AddResult {
  /** The fixture as written, before the engine touched it. */
  original: string;
}

/** Instruments source text with the real engine, as "Add telemetry" to the whole file does. */
export async function instrumentText(engine: Engine, lang: LanguageId, text: string, opts: EngineOptions) {
  await engine.ready(lang);
  return engine.add(lang, text, opts);
}

/** Instruments fixtures/runtime/<fixture> and writes the result to dir under its own name. */
export async function instrumentFixture(
  engine: Engine,
  lang: LanguageId,
  fixture: string,
  dir: string,
  opts: Omit<EngineOptions, 'relPath'>,
): Promise<Instrumented> {
  const relPath = basename(fixture);
  const original = readFileSync(fixturePath(fixture), 'utf8');
  const out = await instrumentText(engine, lang, original, { relPath, ...opts });
  writeFileSync(join(dir, relPath), out.text);
  return { ...out, original };
}

/** Writes the engine's runtime files into dir, the runtime folder, as the server does on first use. */
export function writeRuntime(engine: Engine, lang: LanguageId, dir: string): string[] {
  const files = engine.runtimeFiles(lang);
  for (const { fileName, content } of files) {
    mkdirSync(dirname(join(dir, fileName)), { recursive: true });
    writeFileSync(join(dir, fileName), content);
  }
  return files.map((f) => f.fileName);
}

/** The 1-based line of the first occurrence of `needle`, as events report a function's line. */
export function lineOf(text: string, needle: string): number {
  const at = text.indexOf(needle);
  expect(at, needle).toBeGreaterThanOrEqual(0);
  return text.slice(0, at).split('\n').length;
}

/** One event line: the contract's own type (protocol/events.ts). */
export type { TelemetryEvent };

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** A scratch directory holding copies of `sources` (files or folders), removed by the caller. */
export function scratch(...sources: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'telemetry-runtime-'));
  for (const source of sources) cpSync(source, join(dir, source.split('/').pop()!), { recursive: true });
  return dir;
}

export function removeScratch(dir: string | undefined): void {
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** The test runner's own environment, minus every switch the runtimes read. */
/**
 * Children's temporary files go to a folder of this test process's own, so a program under test
 * that cleans up its temporary folder can never remove another test's scratch files.
 */
let childTmp: string | undefined;

export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  if (!childTmp) {
    const made = mkdtempSync(join(tmpdir(), 'telemetry-child-tmp-'));
    process.once('exit', () => rmSync(made, { recursive: true, force: true }));
    childTmp = made;
  }
  const env: NodeJS.ProcessEnv = { ...process.env, TMPDIR: childTmp, TMP: childTmp, TEMP: childTmp };
  for (const key of Object.keys(env)) {
    if (key === 'DEBUG' || key.startsWith('TELEMETRY_') || key.startsWith('OTEL_')) delete env[key];
  }
  return { ...env, ...extra };
}

/** Go offline, with a build cache that survives between runs so only the first build is slow. */
export const GO_ENV = {
  GOFLAGS: '-mod=mod',
  GOCACHE: join(tmpdir(), 'telemetry-runtime-gocache'),
  GOPROXY: 'off',
  GOWORK: 'off',
  GO111MODULE: 'on',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
};

export function run(
  command: string,
  args: string[],
  options: SpawnOptions & { closeStderrEarly?: boolean },
): Promise<RunResult> {
  if (options.closeStderrEarly) {
    // spawn() returns once the program runs, and a fast one could write before we close
    // our end; a shell that waits first lets every stderr write meet a broken pipe.
    args = ['-c', 'sleep 0.3; exec "$0" "$@"', command, ...args];
    command = 'sh';
  }
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], ...options });
    // Closing our end of the stderr pipe turns every write the program makes to stderr into
    // EPIPE: a broken pipe, as when a log reader has gone away.
    if (options.closeStderrEarly) child.stderr!.destroy();
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => (stdout += chunk));
    if (!options.closeStderrEarly) child.stderr!.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

export function readEvents(file: string): TelemetryEvent[] {
  return parseEvents(existsSync(file) ? readFileSync(file, 'utf8') : '');
}

export function parseEvents(text: string): TelemetryEvent[] {
  const lines = text.split('\n').filter((line) => line !== '');
  for (const line of lines) {
    // JSON.parse would accept 1.7e18; the contract says integer nanoseconds.
    expect(line).toMatch(/"timestamp_ns":\d+,/);
  }
  return lines.map((line) => JSON.parse(line) as TelemetryEvent);
}

export const entries = (events: TelemetryEvent[], name?: string) =>
  events.filter((e) => e.event_type === 'function_entry' && (name === undefined || e.function_name === name));

export const exitOf = (events: TelemetryEvent[], entry: TelemetryEvent) =>
  events.find((e) => e.event_type === 'function_exit' && e.correlation_id === entry.correlation_id);

export const parentOf = (events: TelemetryEvent[], event: TelemetryEvent) =>
  entries(events).find((e) => e.correlation_id === event.parent_correlation_id);

/** The entry of `name` whose preview of argument `arg` is `shown`. */
export function call(events: TelemetryEvent[], name: string, arg: string, shown: string): TelemetryEvent {
  const found = entries(events, name).filter((e) => e.args?.[arg] === shown);
  expect(found, `${name}(${arg}=${shown})`).toHaveLength(1);
  return found[0];
}

/** Events a call may write between its entry and exit (a Go panic writes `exception` with no deep probe). */
const INNER_EVENTS: readonly string[] = INNER_EVENT_TYPES;
const AFTER_EXIT_EVENTS: readonly string[] = AFTER_EXIT_EVENT_TYPES;

/**
 * What every stream must satisfy: schema, one exit per entry, parents that resolve. Events
 * inside a call are only checked for their common fields here (deep-events.ts checks the rest).
 */
export function expectWellFormed(events: TelemetryEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  const seen = new Map<string, string[]>();
  for (const e of events) {
    expect(EVENT_TYPES).toContain(e.event_type);
    expect(Number.isInteger(e.timestamp_ns) && e.timestamp_ns > 1.5e18).toBe(true);
    expect(typeof e.function_name).toBe('string');
    expect(typeof e.file).toBe('string');
    expect(Number.isInteger(e.line) && e.line > 0).toBe(true);
    expect(e.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(e.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(typeof e.correlation_id).toBe('string');
    expect(e).toHaveProperty('parent_correlation_id');
    if (INNER_EVENTS.includes(e.event_type)) {
      expect(seen.get(e.correlation_id), `${e.event_type} inside an open call`).toEqual(['function_entry']);
      continue;
    }
    if (AFTER_EXIT_EVENTS.includes(e.event_type)) {
      expect(seen.get(e.correlation_id)?.[0], `${e.event_type} of a call that entered`).toBe('function_entry');
      continue;
    }
    seen.set(e.correlation_id, [...(seen.get(e.correlation_id) ?? []), e.event_type]);
    if (e.event_type === 'function_exit') {
      expect(Number.isInteger(e.duration_ns) && e.duration_ns! > 0, `duration of ${e.function_name}`).toBe(true);
    } else {
      expect(e).toHaveProperty('args');
      expect(e).toHaveProperty('caller');
    }
  }
  for (const [id, kinds] of seen) expect(kinds, `events of ${id}`).toEqual(['function_entry', 'function_exit']);
  const rootTraces = new Set<string>();
  for (const e of entries(events)) {
    if (e.parent_correlation_id === null) {
      expect(e.caller).toBeNull();
      expect(rootTraces.has(e.trace_id), 'a root call starts a new trace').toBe(false);
      rootTraces.add(e.trace_id);
      continue;
    }
    const parent = parentOf(events, e);
    expect(parent, `parent of ${e.function_name}`).toBeDefined();
    expect(e.trace_id).toBe(parent!.trace_id);
    expect(e.caller).toBe(parent!.function_name);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One line the scenario wrote to a program in `sighup` mode, and whether its call wrote events. */
export interface SighupCall {
  name: string;
  traced: boolean;
}

/** Calls made before a signal landed are in the old state; every call after it in the new one. */
export function expectSighupStory(calls: SighupCall[]): void {
  const story = calls.map((c) => `${c.name} ${c.traced ? 'on' : 'off'}`).join(', ');
  expect(story).toMatch(/^(during off, )*during on, (late on, )*late off, after off$/);
}

/**
 * Runs a program's `sighup` mode with telemetry off. The program calls `phase`, prints "ready",
 * then for each line it reads calls `session(line)` (which calls `phase(line)`) and echoes the
 * line on stderr; at the end of its input it prints "done". Events go to stderr too, which the
 * runtimes write at once, never batched: the events of a call are in the stream before its echo.
 *
 * A signal lands asynchronously (Node's and Go's handlers run on the program's own schedule,
 * which a loaded machine delays), so nothing here waits a fixed time: after each SIGHUP the
 * scenario calls until a call's events show the new state, for at most 20 s. Calls made before
 * the signal landed come out in the old state, which the returned list records.
 */
export async function sighupScenario(command: string, args: string[], cwd: string) {
  // Sampling off: an untraced call then means telemetry is off, never a call limit.
  const child = spawn(command, args, { cwd, env: cleanEnv({ TELEMETRY_SAMPLING: 'off' }), stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  const waiters: Array<() => void> = [];
  const wakeAll = () => waiters.splice(0).forEach((wake) => wake());
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => ((stdout += chunk), wakeAll()));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => ((stderr += chunk), wakeAll()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  /** Waits, up to 20 s, until `found` sees what it looks for; the bound only matters on failure. */
  const until = async <T>(what: string, found: () => T | undefined): Promise<T> => {
    const deadline = Date.now() + 20_000;
    for (let seen = found(); ; seen = found()) {
      if (seen !== undefined) return seen;
      if (Date.now() > deadline) throw new Error(`no ${what}; stdout ${JSON.stringify(stdout)}, stderr ${JSON.stringify(stderr)}`);
      await Promise.race([new Promise<void>((wake) => waiters.push(wake)), sleep(200)]);
    }
  };
  const calls: SighupCall[] = [];
  /** One line, echoed back: whatever events its call wrote are in stderr before the echo. */
  const call = async (name: string) => {
    const from = stderr.length;
    child.stdin.write(`${name}\n`);
    const lines = await until(`echo of "${name}"`, () => {
      const seen = stderr.slice(from).split('\n');
      const echo = seen.indexOf(name);
      return echo === -1 ? undefined : seen.slice(0, echo);
    });
    const traced = lines.some((line) => line.startsWith('{'));
    calls.push({ name, traced });
    return traced;
  };
  const toggleUntil = async (on: boolean, name: string) => {
    child.kill('SIGHUP');
    for (const deadline = Date.now() + 20_000; Date.now() < deadline; ) {
      if ((await call(name)) === on) return;
      await sleep(10);
    }
    throw new Error(`SIGHUP did not turn events ${on ? 'on' : 'off'} within 20 s`);
  };
  await until('"ready"', () => (stdout.split('\n').includes('ready') ? true : undefined));
  const whileOff = stderr;
  await toggleUntil(true, 'during');
  await toggleUntil(false, 'late');
  await call('after');
  child.stdin.end();
  const code = await exited;
  const events = parseEvents(stderr.split('\n').filter((line) => line.startsWith('{')).join('\n'));
  return { whileOff, code, stdout, calls, events };
}
