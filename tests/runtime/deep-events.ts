// Shared by the deep-probe runtime tests (deep-python, deep-node, deep-go): programs written
// by hand in the probe forms of the deep contract, as the engine emits them, and the
// properties every stream with deep events must have whatever the language.
import { expect } from 'vitest';
import { readEvents, type TelemetryEvent } from './helpers.js';

/** Every event, deep fields included (one schema for all the runtime tests). */
export type DeepEvent = TelemetryEvent;

export const readDeepEvents = (file: string) => readEvents(file) as DeepEvent[];

/**
 * Places line numbers as the engine does: in each function (a line matching `header` starts
 * one), `LINE` becomes the function's line and `REL` the probe's line minus it, so an event's
 * `line` is the line of the probe that wrote it.
 */
export function placeLines(source: string, header: RegExp): string {
  let fnLine = 0;
  return source
    .split('\n')
    .map((text, i) => {
      if (header.test(text)) fnLine = i + 1;
      return text.replace(/\bLINE\b/g, String(fnLine)).replace(/\bREL\b/g, String(i + 1 - fnLine));
    })
    .join('\n');
}

/** The 1-based line of the only line of `text` that contains `needle`. */
export function lineWith(text: string, needle: string): number {
  const lines = text.split('\n').map((line, i) => ({ line, n: i + 1 })).filter(({ line }) => line.includes(needle));
  expect(lines.map(({ n }) => n), needle).toHaveLength(1);
  return lines[0].n;
}

/** The 1-based line of the first line containing `needle` at or after the line containing `start`. */
export function lineIn(text: string, start: string, needle: string): number {
  const from = lineWith(text, start);
  const at = text.split('\n').findIndex((line, i) => i + 1 >= from && line.includes(needle));
  expect(at, `${needle} after ${start}`).toBeGreaterThanOrEqual(0);
  return at + 1;
}

/** Every call of `name`, in order of entry. */
export const callsOf = (events: DeepEvent[], name: string) =>
  events.filter((e) => e.event_type === 'function_entry' && e.function_name === name);

/** The events of one call (its entry's correlation id), in the order they were written. */
export const eventsOf = (events: DeepEvent[], entry: DeepEvent, type?: string) =>
  events.filter((e) => e.correlation_id === entry.correlation_id && (type === undefined || e.event_type === type));

/** The function_exit of a call. */
export const exitEvent = (events: DeepEvent[], entry: DeepEvent) =>
  events.find((e) => e.event_type === 'function_exit' && e.correlation_id === entry.correlation_id);

/** The only call of `name`. */
export function onlyCall(events: DeepEvent[], name: string): DeepEvent {
  const calls = callsOf(events, name);
  expect(calls, name).toHaveLength(1);
  return calls[0];
}

/** Event types of one call, with the loop or branch or variable or clause each names. */
export const story = (events: DeepEvent[], entry: DeepEvent) =>
  eventsOf(events, entry).map((e) => {
    switch (e.event_type) {
      case 'variable_change':
        return `var ${e.variable}=${e.value}`;
      case 'branch':
        return `branch ${e.branch}`;
      case 'loop_entry':
        return `loop ${e.loop}`;
      case 'loop_exit':
        return `exit ${e.loop} ${e.iterations}`;
      case 'exception':
        return `${e.clause} ${e.error ? e.error.type : null}`;
      default:
        return e.event_type;
    }
  });

const COMMON = ['function_name', 'file', 'line', 'correlation_id', 'parent_correlation_id', 'trace_id', 'span_id'] as const;
const CLAUSES = ['except', 'catch', 'finally', 'error', 'panic'];

/**
 * What every stream with deep events must satisfy: the common fields on every event; one exit
 * per entry; each deep event inside its call (after the entry, before the exit, with the
 * call's ids); loops that open and close in order within a call, all closed before the
 * call's function_exit; and the fields each event type adds.
 */
export function expectDeepWellFormed(events: DeepEvent[]): void {
  expect(events.length).toBeGreaterThan(0);
  const calls = new Map<string, { entry: DeepEvent; exited: boolean; open: DeepEvent[] }>();
  for (const e of events) {
    const where = `${e.event_type} of ${e.function_name} at line ${e.line}`;
    expect(Number.isInteger(e.timestamp_ns) && e.timestamp_ns > 1.5e18, where).toBe(true);
    for (const key of COMMON) expect(e, where).toHaveProperty(key);
    expect(Number.isInteger(e.line) && e.line > 0, where).toBe(true);
    expect(e.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(e.span_id).toMatch(/^[0-9a-f]{16}$/);
    const call = calls.get(e.correlation_id);
    if (e.event_type === 'function_entry') {
      expect(call, `${where}: a second entry`).toBeUndefined();
      expect(e).toHaveProperty('args');
      calls.set(e.correlation_id, { entry: e, exited: false, open: [] });
      continue;
    }
    expect(call, `${where}: no entry before it`).toBeDefined();
    expect(call!.exited, `${where}: after the function_exit`).toBe(false);
    for (const key of COMMON.filter((k) => k !== 'line')) expect(e[key], `${where}: ${key}`).toBe(call!.entry[key]);
    switch (e.event_type) {
      case 'function_exit':
        expect(call!.open.map((l) => l.line), `${where}: loops still open`).toEqual([]);
        expect(Number.isInteger(e.duration_ns) && e.duration_ns! > 0).toBe(true);
        call!.exited = true;
        break;
      case 'variable_change':
        expect(typeof e.variable).toBe('string');
        expect(typeof e.value).toBe('string');
        if ('redacted' in e) expect({ redacted: e.redacted, value: e.value }).toEqual({ redacted: true, value: '<redacted>' });
        break;
      case 'branch':
        expect(typeof e.branch).toBe('string');
        expect(e.condition === null || typeof e.condition === 'string', where).toBe(true);
        break;
      case 'loop_entry':
        expect(typeof e.loop).toBe('string');
        call!.open.push(e);
        break;
      case 'loop_exit': {
        const opened = call!.open.pop();
        expect(opened, `${where}: no loop open`).toBeDefined();
        expect({ line: e.line, loop: e.loop }, `${where}: closes the innermost open loop`).toEqual({
          line: opened!.line,
          loop: opened!.loop,
        });
        expect(Number.isInteger(e.iterations) && e.iterations! >= 0, where).toBe(true);
        expect(Number.isInteger(e.suppressed) && e.suppressed! >= 0, where).toBe(true);
        expect(Number.isInteger(e.duration_ns) && e.duration_ns! > 0, where).toBe(true);
        break;
      }
      case 'exception':
        expect(CLAUSES).toContain(e.clause);
        if (e.error !== null) {
          expect(typeof e.error?.type, where).toBe('string');
          expect(typeof e.error?.message, where).toBe('string');
        }
        break;
      default:
        throw new Error(`unknown event type ${e.event_type}`);
    }
  }
  for (const { entry, exited } of calls.values()) expect(exited, `exit of ${entry.function_name}`).toBe(true);
  for (const { entry } of calls.values()) {
    if (entry.parent_correlation_id === null) continue;
    const parent = calls.get(entry.parent_correlation_id);
    expect(parent, `parent of ${entry.function_name}`).toBeDefined();
    expect(entry.trace_id).toBe(parent!.entry.trace_id);
  }
}

/** Which iterations n of a loop keep their events under TELEMETRY_LOOP_EVENTS=limit. */
export const keptIterations = (iterations: number, limit: number) =>
  Array.from({ length: iterations }, (_, i) => i + 1).filter((n) => n <= limit || (n & (n - 1)) === 0);

/** The TELEMETRY_LOOP_EVENTS settings every runtime's sampling test runs, and the limit each means. */
export const SAMPLING_CASES = [
  { setting: 'unset', limit: 16 },
  { setting: '4', limit: 4 },
  { setting: 'all', limit: Infinity },
];

export const samplingEnv = (setting: string): Record<string, string> =>
  setting === 'unset' ? {} : { TELEMETRY_LOOP_EVENTS: setting };

/**
 * The `sample 100` program's call (a loop of 100 turns adding n-1 to `total`, with one branch a
 * turn) kept exactly the variable and branch events of the iterations `limit` keeps.
 */
export function expectSampled(events: DeepEvent[], call: DeepEvent, limit: number): void {
  const kept = keptIterations(100, limit);
  // total after iteration n is n(n-1)/2: the recorded values name the iterations kept.
  const values = eventsOf(events, call, 'variable_change').map((e) => e.value);
  expect(values).toEqual([...kept.map((n) => String((n * (n - 1)) / 2)), '4950']);
  expect(eventsOf(events, call, 'branch')).toHaveLength(kept.length);
  expect(eventsOf(events, call, 'loop_exit')).toEqual([expect.objectContaining({ iterations: 100, suppressed: 2 * (100 - kept.length) })]);
}
