// The event-stream checker shared by the behaviour tests. It reads what instrumented programs
// wrote (any number of processes, threads and goroutines appending to one JSONL file) and checks
// it against the event contract of DESIGN.md and the deep probes of server/languages/README.md,
// whatever probe kinds the engine emitted.
// It collects problems rather than throwing at the first, so one run reports them all, and keeps
// only what it needs per call (streams run to millions of events). It never decides what a
// program should have done: the exact-path tests compare `frames` with what they expect.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { expect } from 'vitest';
import { DEFAULT_REDACT } from '../../server/src/engine/types.js';
import { AFTER_EXIT_EVENT_TYPES, EVENT_TYPES, INNER_EVENT_TYPES, LABELS, PREVIEW, type RuntimeLanguage, type TelemetryEvent } from '../../protocol/events.js';

export type { RuntimeLanguage };

/** Labels, loop kinds and exception clauses the deep probes allow per language (protocol/runtime-vectors.json). */
export const CONTRACT = LABELS;

export { EVENT_TYPES };
const DEEP_TYPES = new Set<string>(INNER_EVENT_TYPES);
const REDACT = new RegExp(DEFAULT_REDACT, 'i');
const REDACTED = PREVIEW.redacted;
const MAX_KEPT_PROBLEMS = 40;

export type { TelemetryEvent };

/** One call, with every event it produced, for the small programs whose path is known. */
export interface Frame {
  entry: TelemetryEvent;
  /** Deep events between entry and exit, in the order written. */
  inner: TelemetryEvent[];
  exit?: TelemetryEvent;
}

export interface StreamSummary {
  events: number;
  byType: Record<string, number>;
  calls: number;
  roots: number;
  maxDepth: number;
  /** Events per `file` field. */
  byFile: Map<string, number>;
  /** Sum of loop_exit iterations. */
  iterations: number;
  /** Calls that never exited (their process or thread ended first), by `name file:line`. */
  open: Map<string, number>;
  problems: string[];
  problemCount: number;
  /** Every call with its events, in entry order; only when asked for (`keepFrames`). */
  frames?: Frame[];
}

export interface CheckOptions {
  keepFrames?: boolean;
}

interface OpenCall {
  name: string;
  file: string;
  line: number;
  trace: string;
  span: string;
  parent: string | null;
  loops: { line: number; loop: string }[];
  panicked: boolean;
  frame?: Frame;
}

interface Known {
  name: string;
  trace: string;
  depth: number;
}

const isInt = (v: unknown, min: number) => typeof v === 'number' && Number.isInteger(v) && v >= min;
const isErrorShape = (v: unknown) =>
  typeof v === 'object' && v !== null && typeof (v as { type?: unknown }).type === 'string' && typeof (v as { message?: unknown }).message === 'string';

/** Feeds a stream line by line; `finish()` says what is wrong with it as a whole. */
export class EventChecker {
  private readonly open = new Map<string, OpenCall>();
  private readonly known = new Map<string, Known>();
  private readonly exited = new Set<string>();
  private readonly rootTraces = new Set<string>();
  private readonly pendingParents: { cid: string; parent: string; trace: string; caller: unknown; name: string }[] = [];
  private readonly frames: Frame[] = [];
  private readonly byType: Record<string, number> = {};
  private readonly byFile = new Map<string, number>();
  private readonly problems: string[] = [];
  private problemCount = 0;
  private events = 0;
  private roots = 0;
  private maxDepth = 0;
  private iterations = 0;
  private panicEvents = 0;
  private erroredExitsWithoutPanic: string[] = [];

  constructor(private readonly lang: RuntimeLanguage, private readonly options: CheckOptions = {}) {}

  line(text: string): void {
    if (text === '') return;
    // JSON.parse would accept 1.7e18; the contract says integer nanoseconds.
    if (!/"timestamp_ns":\d+[,}]/.test(text)) this.problem(`timestamp_ns is not an integer: ${text.slice(0, 160)}`);
    let event: TelemetryEvent;
    try {
      event = JSON.parse(text) as TelemetryEvent;
    } catch {
      this.problem(`not one JSON object per line: ${text.slice(0, 160)}`);
      return;
    }
    this.event(event);
  }

  event(e: TelemetryEvent): void {
    this.events++;
    const type = e.event_type;
    this.byType[type] = (this.byType[type] ?? 0) + 1;
    if (!(EVENT_TYPES as readonly string[]).includes(type)) return this.problem(`unknown event_type ${JSON.stringify(type)}`);
    if (!this.common(e)) return;
    this.byFile.set(e.file, (this.byFile.get(e.file) ?? 0) + 1);
    if (type === 'function_entry') return this.entry(e);
    if (AFTER_EXIT_EVENT_TYPES.includes(type as never)) {
      // A connection the call opened may close after the call returned.
      if (!this.open.has(e.correlation_id) && !this.exited.has(e.correlation_id)) this.problem(`${type} of ${e.function_name} for a call that never entered`);
      return;
    }
    const call = this.open.get(e.correlation_id);
    if (!call) {
      const why = this.exited.has(e.correlation_id) ? 'after its function_exit' : 'for a call that never entered';
      return this.problem(`${type} of ${e.function_name} ${why} (${e.correlation_id})`);
    }
    if (e.function_name !== call.name || e.file !== call.file || e.trace_id !== call.trace || e.span_id !== call.span) {
      this.problem(`${type} of ${e.function_name} does not carry its call's name, file, trace and span (${call.name} ${call.file})`);
    }
    if (e.parent_correlation_id !== call.parent) this.problem(`${type} of ${call.name} names another parent than its entry`);
    if (type === 'function_exit') return this.exit(e, call);
    if (!DEEP_TYPES.has(type)) return;
    call.frame?.inner.push(e);
    if (e.line < call.line) this.problem(`${type} in ${call.name} at line ${e.line}, before the function's line ${call.line}`);
    if (type === 'variable_change') this.variable(e, call);
    else if (type === 'branch') this.branch(e, call);
    else if (type === 'loop_entry') this.loopEntry(e, call);
    else if (type === 'loop_exit') this.loopExit(e, call);
    else this.exception(e, call);
  }

  finish(): StreamSummary {
    for (const p of this.pendingParents) {
      const parent = this.known.get(p.parent);
      if (!parent) this.problem(`parent of ${p.name} never entered (${p.parent})`);
      else this.childOf(p.name, p.trace, p.caller, parent);
    }
    this.pendingParents.length = 0;
    if (this.panicEvents > 0) {
      // The Go runtime writes an `exception` with clause "panic" before an exit that panics.
      for (const name of this.erroredExitsWithoutPanic) this.problem(`${name} exited by panicking with no "panic" exception event`);
    }
    const open = new Map<string, number>();
    for (const call of this.open.values()) {
      const where = `${call.name} ${call.file}:${call.line}`;
      open.set(where, (open.get(where) ?? 0) + 1);
    }
    return {
      events: this.events,
      byType: { ...this.byType },
      byFile: new Map(this.byFile),
      calls: this.known.size,
      roots: this.roots,
      maxDepth: this.maxDepth,
      iterations: this.iterations,
      open,
      problems: [...this.problems],
      problemCount: this.problemCount,
      frames: this.options.keepFrames ? this.frames : undefined,
    };
  }

  private problem(text: string): void {
    this.problemCount++;
    if (this.problems.length < MAX_KEPT_PROBLEMS) this.problems.push(text);
  }

  private common(e: TelemetryEvent): boolean {
    const bad: string[] = [];
    if (!isInt(e.timestamp_ns, 1e18)) bad.push('timestamp_ns');
    if (typeof e.function_name !== 'string' || e.function_name === '') bad.push('function_name');
    if (typeof e.file !== 'string' || e.file === '') bad.push('file');
    if (!isInt(e.line, 1)) bad.push('line');
    if (typeof e.correlation_id !== 'string' || e.correlation_id === '') bad.push('correlation_id');
    if (!(e.parent_correlation_id === null || typeof e.parent_correlation_id === 'string')) bad.push('parent_correlation_id');
    if (!/^[0-9a-f]{32}$/.test(String(e.trace_id))) bad.push('trace_id');
    if (!/^[0-9a-f]{16}$/.test(String(e.span_id))) bad.push('span_id');
    if (bad.length > 0) this.problem(`${e.event_type} of ${e.function_name} has bad ${bad.join(', ')}`);
    return !bad.includes('correlation_id');
  }

  private entry(e: TelemetryEvent): void {
    if (this.known.has(e.correlation_id)) return this.problem(`two function_entry events for ${e.function_name} (${e.correlation_id})`);
    if (typeof e.args !== 'object' || e.args === null) this.problem(`function_entry of ${e.function_name} has no args`);
    const call: OpenCall = {
      name: e.function_name,
      file: e.file,
      line: e.line,
      trace: e.trace_id,
      span: e.span_id,
      parent: e.parent_correlation_id,
      loops: [],
      panicked: false,
    };
    if (this.options.keepFrames) {
      call.frame = { entry: e, inner: [] };
      this.frames.push(call.frame);
    }
    this.open.set(e.correlation_id, call);
    let depth = 0;
    if (e.parent_correlation_id === null) {
      this.roots++;
      if (e.caller !== null) this.problem(`root call ${e.function_name} names a caller`);
      if (this.rootTraces.has(e.trace_id)) this.problem(`root call ${e.function_name} reuses a trace id`);
      this.rootTraces.add(e.trace_id);
    } else {
      const parent = this.known.get(e.parent_correlation_id);
      if (parent) depth = this.childOf(e.function_name, e.trace_id, e.caller, parent);
      else {
        this.pendingParents.push({ cid: e.correlation_id, parent: e.parent_correlation_id, trace: e.trace_id, caller: e.caller, name: e.function_name });
      }
    }
    this.maxDepth = Math.max(this.maxDepth, depth);
    this.known.set(e.correlation_id, { name: e.function_name, trace: e.trace_id, depth });
  }

  private childOf(name: string, trace: string, caller: unknown, parent: Known): number {
    if (trace !== parent.trace) this.problem(`${name} does not share its parent ${parent.name}'s trace`);
    if (caller !== parent.name) this.problem(`${name} names caller ${JSON.stringify(caller)}, its parent is ${parent.name}`);
    return parent.depth + 1;
  }

  private exit(e: TelemetryEvent, call: OpenCall): void {
    if (!isInt(e.duration_ns, 1)) this.problem(`function_exit of ${call.name} has duration_ns ${e.duration_ns}`);
    if (e.error !== undefined && !isErrorShape(e.error)) this.problem(`function_exit of ${call.name} has a malformed error`);
    if (call.loops.length > 0) {
      this.problem(`${call.name} exited with ${call.loops.length} loop(s) still open (loop_entry without loop_exit)`);
    }
    if (this.lang === 'go' && e.error && !call.panicked) this.erroredExitsWithoutPanic.push(call.name);
    if (call.frame) call.frame.exit = e;
    this.open.delete(e.correlation_id);
    this.exited.add(e.correlation_id);
  }

  private variable(e: TelemetryEvent, call: OpenCall): void {
    if (typeof e.variable !== 'string' || e.variable === '') return this.problem(`variable_change in ${call.name} names no variable`);
    if (typeof e.value !== 'string') this.problem(`variable_change of ${e.variable} in ${call.name} has no value preview`);
    if (e.redacted === true && e.value !== REDACTED) this.problem(`redacted ${e.variable} in ${call.name} shows a value`);
    if (REDACT.test(e.variable) && !(e.redacted === true && e.value === REDACTED)) {
      this.problem(`${e.variable} in ${call.name} matches the redaction pattern but is previewed`);
    }
  }

  private branch(e: TelemetryEvent, call: OpenCall): void {
    if (!CONTRACT[this.lang].branch.includes(String(e.branch))) this.problem(`branch label ${JSON.stringify(e.branch)} in ${call.name}`);
    if (!(e.condition === null || typeof e.condition === 'string')) this.problem(`branch in ${call.name} has a bad condition`);
  }

  private loopKind(e: TelemetryEvent, call: OpenCall): boolean {
    const kinds = CONTRACT[this.lang].loop;
    const ok = typeof e.loop === 'string' && e.loop !== '' && (kinds === null || kinds.includes(e.loop));
    if (!ok) this.problem(`${e.event_type} kind ${JSON.stringify(e.loop)} in ${call.name}`);
    return ok;
  }

  private loopEntry(e: TelemetryEvent, call: OpenCall): void {
    if (this.loopKind(e, call)) call.loops.push({ line: e.line, loop: e.loop! });
  }

  private loopExit(e: TelemetryEvent, call: OpenCall): void {
    if (!isInt(e.iterations, 0)) this.problem(`loop_exit in ${call.name} counts ${JSON.stringify(e.iterations)} iterations`);
    else this.iterations += e.iterations!;
    if (!isInt(e.duration_ns, 0)) this.problem(`loop_exit in ${call.name} has duration_ns ${e.duration_ns}`);
    if (!isInt(e.suppressed, 0)) this.problem(`loop_exit in ${call.name} has suppressed ${JSON.stringify(e.suppressed)}`);
    if (!this.loopKind(e, call)) return;
    // done() closes its loop and every loop opened after it, each with its own loop_exit, so
    // exits come innermost first: each must close the innermost open loop.
    const top = call.loops.at(-1);
    if (!top) return this.problem(`loop_exit (${e.loop}, line ${e.line}) in ${call.name} with no open loop`);
    if (top.line === e.line && top.loop === e.loop) {
      call.loops.pop();
      return;
    }
    let at = call.loops.length - 1;
    while (at >= 0 && !(call.loops[at].line === e.line && call.loops[at].loop === e.loop)) at--;
    if (at < 0) return this.problem(`loop_exit (${e.loop}, line ${e.line}) in ${call.name} matches no open loop`);
    this.problem(`loop_exit (${e.loop}, line ${e.line}) in ${call.name} closes ${call.loops.length - 1 - at} inner loop(s) that never got a loop_exit`);
    call.loops.length = at;
  }

  private exception(e: TelemetryEvent, call: OpenCall): void {
    if (!CONTRACT[this.lang].clause.includes(String(e.clause))) this.problem(`exception clause ${JSON.stringify(e.clause)} in ${call.name}`);
    if (!(e.error === null || isErrorShape(e.error))) this.problem(`exception in ${call.name} has a malformed error`);
    if (e.clause === 'panic') {
      this.panicEvents++;
      call.panicked = true;
    }
  }
}

/** Checks a JSONL file line by line, without holding it in memory. */
export async function checkEventFile(path: string, lang: RuntimeLanguage, options: CheckOptions = {}): Promise<StreamSummary> {
  const checker = new EventChecker(lang, options);
  if (existsSync(path)) {
    const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
    for await (const line of lines) checker.line(line);
  }
  return checker.finish();
}

export function checkEventText(text: string, lang: RuntimeLanguage, options: CheckOptions = {}): StreamSummary {
  const checker = new EventChecker(lang, options);
  for (const line of text.split('\n')) checker.line(line);
  return checker.finish();
}

/** What a run with telemetry off must leave behind: no file, or an empty one. */
export function expectNoEvents(path: string, label: string): void {
  const size = existsSync(path) ? statSync(path).size : 0;
  expect(size, `${label}: events written while telemetry was off: ${size ? readFileSync(path, 'utf8').slice(0, 300) : ''}`).toBe(0);
}

/**
 * The stream is well-formed. `mayStayOpen` says which calls (`name file:line`) may legitimately
 * still be running when their process or thread ends (a worker terminated while it waits).
 */
export function expectWellFormed(summary: StreamSummary, label: string, mayStayOpen: (where: string) => boolean = () => false): void {
  expect(summary.events, `${label}: no events at all`).toBeGreaterThan(0);
  expect(summary.problems, `${label}: ${summary.problemCount} problems`).toEqual([]);
  const unexpected = [...summary.open].filter(([name]) => !mayStayOpen(name));
  expect(unexpected, `${label}: function_entry without function_exit`).toEqual([]);
}

/** One line for the test output: how much was checked. */
export function describeSummary(summary: StreamSummary): string {
  const types = EVENT_TYPES.filter((t) => summary.byType[t]).map((t) => `${t} ${summary.byType[t]}`);
  const open = [...summary.open.values()].reduce((a, b) => a + b, 0);
  return (
    `${summary.events} events (${types.join(', ')}), ${summary.calls} calls, ${summary.roots} roots, depth ≤ ${summary.maxDepth}` +
    (summary.byType.loop_exit ? `, ${summary.iterations} loop iterations` : '') +
    (open ? `, ${open} calls still open at exit` : '') +
    `, ${summary.problemCount} problems`
  );
}
