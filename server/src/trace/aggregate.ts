// The trace model's per-function aggregates: the one place that turns a stream of events into
// calls, errors, duration quantiles, last seen, top exception types, loop iteration counts and the
// slowest calls with their argument previews. `report`, the language server's lenses and hover, and
// the viewer all read these; none counts events itself.
//
// Keys. Events name a function by `file` (relative to the workspace root, as the probe passed it),
// `function_name` (the engine's qualified name) and `line` (the function's line when the probe was
// inserted). A function's aggregate is keyed by all three (`aggregateKey`), so two functions of one
// file that share a name stay apart. Events inside a call (loops, exceptions, variables) carry the
// line of their own probe, so they join their call through `correlation_id`; when the call's entry
// was not read they go to the function of that file and name seen last. Joining a key to a stable
// function id (`path::qualified.name::kind`) needs the source, and is the caller's (see
// server/src/lsp/trace-join.ts): same path, same qualified name, nearest line among equals.
//
// Memory is bounded whatever the file size: durations go to a DurationSketch, exception types are
// capped per function, slowest calls are a top-N, and calls whose entry was read but whose exit was
// not yet are capped (the oldest are forgotten first).
// Must never keep an event, a raw line or an unbounded list, and never throw on a field of the wrong shape.
import type { EventError, TelemetryEvent } from '../../../protocol/events.js';
import { DurationSketch } from './duration-sketch.js';

/** Slowest calls kept per function. */
export const SLOWEST_KEPT = 5;
/** Distinct exception types counted per function; more are counted under OTHER_TYPE. */
export const TYPES_KEPT = 32;
export const OTHER_TYPE = '(other)';
/** Calls entered and not yet exited that are remembered (for their arguments and their inner events). */
export const OPEN_CALLS_KEPT = 10_000;
/** Characters kept of one argument preview. */
const PREVIEW_KEPT = 200;

/** One call as the hover and the viewer show it. */
export interface CallPreview {
  durationNs: number;
  /** When the call exited (ns since the epoch, rounded past 2^53). */
  timestampNs: number;
  traceId: string | null;
  correlationId: string | null;
  /** The argument previews of its entry; null when the entry was not read. */
  args: Record<string, string> | null;
  /** The return preview, when the runtime writes one. */
  return: string | null;
  error: EventError | null;
}

export interface LoopStats {
  /** The loop's line (its probe's). */
  line: number;
  kind: string | null;
  /** loop_exit events: how many times the loop ran to its end. */
  runs: number;
  iterations: number;
  maxIterations: number;
}

export interface FunctionAggregate {
  key: string;
  name: string;
  file: string | null;
  line: number | null;
  /** function_exit events read. */
  recorded: number;
  /** Calls the runtime's call limits left out (dropped_calls), counted in `calls`. */
  dropped: number;
  /** recorded + dropped. */
  calls: number;
  /** Recorded calls that exited by raising. */
  errors: number;
  durations: DurationSketch;
  firstSeenNs: number | null;
  lastSeenNs: number | null;
  /** Types of errors that left the function (function_exit.error). */
  errorTypes: Map<string, number>;
  /** Types of errors seen in its except/catch/finally blocks (exception events). */
  caughtTypes: Map<string, number>;
  /** By loop line. */
  loops: Map<number, LoopStats>;
  /** Slowest first, at most SLOWEST_KEPT. */
  slowest: CallPreview[];
}

/** The figures a lens or a report row shows. */
export interface FunctionSummary {
  calls: number;
  recorded: number;
  errors: number;
  totalNs: number;
  meanNs: number | null;
  p50Ns: number | null;
  p95Ns: number | null;
  p99Ns: number | null;
  /** True when the quantiles are exact (few enough calls), false when DDSketch estimates (1% relative error). */
  exact: boolean;
}

export function aggregateKey(file: string | null | undefined, name: string, line: number | null | undefined): string {
  return `${file ?? ''}\0${name}\0${typeof line === 'number' ? line : ''}`;
}

interface OpenCall {
  key: string;
  args: Record<string, string> | null;
}

/** Aggregates one stream of events (one run, one file, or several: add them in any order). */
export class TraceAggregator {
  readonly functions = new Map<string, FunctionAggregate>();
  /** Event `file`s seen: the source files this data covers. */
  readonly files = new Set<string>();
  events = 0;
  startedNs: number | null = null;
  endedNs: number | null = null;
  private readonly open = new Map<string, OpenCall>();
  private readonly lastByName = new Map<string, string>();

  add(event: TelemetryEvent): void {
    this.events++;
    const ts = typeof event.timestamp_ns === 'number' && Number.isFinite(event.timestamp_ns) ? event.timestamp_ns : null;
    if (ts !== null) {
      if (this.startedNs === null || ts < this.startedNs) this.startedNs = ts;
      if (this.endedNs === null || ts > this.endedNs) this.endedNs = ts;
    }
    const file = typeof event.file === 'string' ? event.file : null;
    if (file !== null) this.files.add(file);
    const corr = typeof event.correlation_id === 'string' ? event.correlation_id : null;
    switch (event.event_type) {
      case 'function_entry': {
        const fn = this.own(event.function_name, file, event.line, ts);
        if (corr !== null) this.remember(corr, { key: fn.key, args: previews(event.args) });
        return;
      }
      case 'function_exit':
        return this.exit(event, file, corr, ts);
      case 'loop_exit': {
        const fn = this.inner(event, file, corr, ts);
        if (!fn || typeof event.line !== 'number') return;
        let loop = fn.loops.get(event.line);
        if (!loop) fn.loops.set(event.line, (loop = { line: event.line, kind: typeof event.loop === 'string' ? event.loop : null, runs: 0, iterations: 0, maxIterations: 0 }));
        const n = typeof event.iterations === 'number' && event.iterations >= 0 ? event.iterations : 0;
        loop.runs++;
        loop.iterations += n;
        loop.maxIterations = Math.max(loop.maxIterations, n);
        return;
      }
      case 'exception': {
        const fn = this.inner(event, file, corr, ts);
        const type = event.error && typeof event.error.type === 'string' ? event.error.type : null;
        if (fn && type !== null) bump(fn.caughtTypes, type);
        return;
      }
      default:
        this.inner(event, file, corr, ts);
    }
  }

  private exit(event: TelemetryEvent, file: string | null, corr: string | null, ts: number | null): void {
    const call = corr !== null ? this.open.get(corr) : undefined;
    if (corr !== null) this.open.delete(corr);
    const fn = this.own(event.function_name, file, event.line, ts);
    const duration = event.duration_ns!;
    fn.recorded++;
    fn.calls++;
    fn.durations.add(duration);
    const error = event.error && typeof event.error.type === 'string' ? { type: event.error.type, message: String(event.error.message ?? '') } : null;
    if (error) {
      fn.errors++;
      bump(fn.errorTypes, error.type);
    }
    if (fn.slowest.length < SLOWEST_KEPT || duration > fn.slowest[fn.slowest.length - 1]!.durationNs) {
      const preview: CallPreview = {
        durationNs: duration,
        timestampNs: ts ?? 0,
        traceId: typeof event.trace_id === 'string' ? event.trace_id : null,
        correlationId: corr,
        args: call && call.key === fn.key ? call.args : null,
        return: typeof event.return === 'string' ? event.return : null,
        error,
      };
      const at = fn.slowest.findIndex((c) => c.durationNs < duration);
      fn.slowest.splice(at === -1 ? fn.slowest.length : at, 0, preview);
      if (fn.slowest.length > SLOWEST_KEPT) fn.slowest.pop();
    }
    for (const drop of Array.isArray(event.dropped_calls) ? event.dropped_calls : []) {
      if (typeof drop?.function_name !== 'string' || !Number.isInteger(drop.count) || drop.count < 1) continue;
      const dropped = this.own(drop.function_name, typeof drop.file === 'string' ? drop.file : null, drop.line, null);
      dropped.dropped += drop.count;
      dropped.calls += drop.count;
    }
  }

  /** The aggregate of an entry or exit's own function (its `line` is the function's). */
  private own(name: string, file: string | null, line: unknown, ts: number | null): FunctionAggregate {
    const key = aggregateKey(file, name, typeof line === 'number' ? line : null);
    let fn = this.functions.get(key);
    if (!fn) {
      fn = emptyAggregate(key, name, file, typeof line === 'number' ? line : null);
      this.functions.set(key, fn);
    }
    this.lastByName.set(`${file ?? ''}\0${name}`, key);
    seen(fn, ts);
    return fn;
  }

  /** The aggregate of the call an inner event belongs to, or undefined when none can be told. */
  private inner(event: TelemetryEvent, file: string | null, corr: string | null, ts: number | null): FunctionAggregate | undefined {
    const key = (corr !== null ? this.open.get(corr)?.key : undefined) ?? this.lastByName.get(`${file ?? ''}\0${event.function_name}`);
    const fn = key !== undefined ? this.functions.get(key) : undefined;
    if (fn) seen(fn, ts);
    return fn;
  }

  private remember(corr: string, call: OpenCall): void {
    if (this.open.size >= OPEN_CALLS_KEPT) this.open.delete(this.open.keys().next().value!);
    this.open.set(corr, call);
  }
}

export function emptyAggregate(key: string, name: string, file: string | null, line: number | null): FunctionAggregate {
  return {
    key, name, file, line,
    recorded: 0, dropped: 0, calls: 0, errors: 0,
    durations: new DurationSketch(),
    firstSeenNs: null, lastSeenNs: null,
    errorTypes: new Map(), caughtTypes: new Map(), loops: new Map(), slowest: [],
  };
}

/** Adds `from` into `into` (same function, another key, file or run); `from` is left as it was. */
export function mergeAggregate(into: FunctionAggregate, from: FunctionAggregate): void {
  into.recorded += from.recorded;
  into.dropped += from.dropped;
  into.calls += from.calls;
  into.errors += from.errors;
  into.durations.merge(from.durations);
  if (from.firstSeenNs !== null && (into.firstSeenNs === null || from.firstSeenNs < into.firstSeenNs)) into.firstSeenNs = from.firstSeenNs;
  if (from.lastSeenNs !== null && (into.lastSeenNs === null || from.lastSeenNs > into.lastSeenNs)) into.lastSeenNs = from.lastSeenNs;
  for (const [type, n] of from.errorTypes) bump(into.errorTypes, type, n);
  for (const [type, n] of from.caughtTypes) bump(into.caughtTypes, type, n);
  for (const [line, loop] of from.loops) {
    const mine = into.loops.get(line);
    if (!mine) into.loops.set(line, { ...loop });
    else {
      mine.runs += loop.runs;
      mine.iterations += loop.iterations;
      mine.maxIterations = Math.max(mine.maxIterations, loop.maxIterations);
    }
  }
  into.slowest = [...into.slowest, ...from.slowest].sort((a, b) => b.durationNs - a.durationNs).slice(0, SLOWEST_KEPT);
}

export function summarise(fn: FunctionAggregate): FunctionSummary {
  const d = fn.durations;
  return {
    calls: fn.calls,
    recorded: fn.recorded,
    errors: fn.errors,
    totalNs: d.sum,
    meanNs: d.mean(),
    p50Ns: d.quantile(0.5),
    p95Ns: d.quantile(0.95),
    p99Ns: d.quantile(0.99),
    exact: d.isExact,
  };
}

/** The n most frequent entries, most first (ties by name). */
export function topCounts(counts: ReadonlyMap<string, number>, n: number): [string, number][] {
  return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, n);
}

function seen(fn: FunctionAggregate, ts: number | null): void {
  if (ts === null) return;
  if (fn.firstSeenNs === null || ts < fn.firstSeenNs) fn.firstSeenNs = ts;
  if (fn.lastSeenNs === null || ts > fn.lastSeenNs) fn.lastSeenNs = ts;
}

function bump(counts: Map<string, number>, type: string, n = 1): void {
  const key = counts.has(type) || counts.size < TYPES_KEPT ? type : OTHER_TYPE;
  counts.set(key, (counts.get(key) ?? 0) + n);
}

function previews(args: unknown): Record<string, string> | null {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) return null;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(args)) {
    // Runtimes bound previews; a hand-made file might not, and a kept call must stay small.
    const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
    out[name] = text.length > PREVIEW_KEPT ? `${text.slice(0, PREVIEW_KEPT)}…` : text;
  }
  return out;
}
