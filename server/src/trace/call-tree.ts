// Builds call trees per trace from events as they stream in: each function_entry opens a call, its
// function_exit closes it, parents resolve through correlation ids, and the fine-grained events
// (variable, branch, loop, exception) hang on the call they belong to. Numbers are kept in typed
// columns and strings interned, so a million events fit in a few hundred MB at most; the viewer,
// the exports and replay all read the same forest.
// Must never read files (events arrive through add()), never throw on an odd event order (exits
// without entries, entries without exits, unknown parents are kept and flagged), never re-sort input.
import type { EventError, TelemetryEvent } from '../../../protocol/events.js';
import { aggregateKey } from './aggregate.js';

/** What kind of fine-grained event an inline record is, in the order of protocol/events.ts. */
export const INLINE_KINDS = ['variable_change', 'branch', 'loop_entry', 'loop_exit', 'exception'] as const;
export type InlineKind = (typeof INLINE_KINDS)[number];

export interface FunctionRef {
  name: string;
  file: string;
  line: number;
}

/** One call, materialised for a reader (the forest keeps it as columns). */
export interface Call {
  index: number;
  fn: number;
  trace: number;
  /** -1 at a root. */
  parent: number;
  /** Nanoseconds since the epoch; rounded to JSON's double precision. */
  start: number;
  /** NaN while the call has no exit (the file ended first). */
  duration: number;
  args?: Record<string, string>;
  /** Absent when the runtime recorded none (Go records none; Python none for `None`). */
  ret?: string;
  error?: EventError;
  /** The entry was not in the input (the file started mid-call): start is exit - duration. */
  noEntry: boolean;
  /** The parent id named a call not in the input, so this call is shown as a root. */
  lostParent: boolean;
}

export interface Inline {
  kind: InlineKind;
  time: number;
  line: number;
  /** A one-line description: `x = [1, 2]`, `if (n > 1)`, `for ×3`, `ValueError: bad`. */
  text: string;
  error: boolean;
}

const KIND_CODE = new Map<string, number>(INLINE_KINDS.map((k, i) => [k, i]));

class Column<T extends Float64Array | Int32Array> {
  data: T;
  length = 0;
  constructor(private readonly make: (n: number) => T) {
    this.data = make(1024);
  }
  push(value: number): number {
    if (this.length === this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length] = value;
    return this.length++;
  }
}
const f64 = () => new Column((n) => new Float64Array(n));
const i32 = () => new Column((n) => new Int32Array(n));

export class CallForest {
  readonly functions: FunctionRef[] = [];
  readonly traceIds: string[] = [];
  /** Root calls of each trace, in input order. */
  readonly roots: number[][] = [];
  /** Fine-grained events whose call was not (or no longer) open: counted, not shown. */
  orphans = 0;

  private readonly fnIndex = new Map<string, number>();
  private readonly traceIndex = new Map<string, number>();
  /** Every call's correlation id, for parents that exit before their children (fire-and-forget). */
  private ids = new Map<string, number>();
  private readonly open = new Set<number>();

  private readonly fnOf = i32();
  private readonly traceOf = i32();
  private readonly parentOf = i32();
  private readonly startOf = f64();
  private readonly durationOf = f64();
  private readonly flags = i32();
  private readonly firstChild = i32();
  private readonly lastChild = i32();
  private readonly nextSibling = i32();
  private readonly firstInline = i32();
  private readonly lastInline = i32();
  private readonly args: (Record<string, string> | undefined)[] = [];
  private readonly rets: (string | undefined)[] = [];
  private readonly errors: (EventError | undefined)[] = [];

  private readonly inKind = i32();
  private readonly inLine = i32();
  private readonly inTime = f64();
  private readonly inNext = i32();
  private readonly inText: string[] = [];

  get size(): number {
    return this.fnOf.length;
  }

  get inlineCount(): number {
    return this.inKind.length;
  }

  /** `time` overrides the event's timestamp_ns, e.g. an exact offset from a base (JSON.parse rounds ns beyond 2^53). */
  add(event: TelemetryEvent, time = event.timestamp_ns): void {
    const type = event.event_type;
    if (type === 'function_entry') this.enter(event, time);
    else if (type === 'function_exit') this.exit(event, time);
    else {
      const call = this.ids.get(event.correlation_id);
      if (call === undefined || !this.open.has(call)) {
        this.orphans++;
        return;
      }
      this.inline(call, event, time);
    }
  }

  /** Drops what only building needed; the forest is read-only afterwards. */
  finish(): void {
    this.ids = new Map();
    this.open.clear();
  }

  call(index: number): Call {
    const flags = this.flags.data[index]!;
    return {
      index,
      fn: this.fnOf.data[index]!,
      trace: this.traceOf.data[index]!,
      parent: this.parentOf.data[index]!,
      start: this.startOf.data[index]!,
      duration: this.durationOf.data[index]!,
      args: this.args[index],
      ret: this.rets[index],
      error: this.errors[index],
      noEntry: (flags & 1) !== 0,
      lostParent: (flags & 2) !== 0,
    };
  }

  // Column readers for the hot loops of the viewer (no object per call).
  fnAt(index: number): number {
    return this.fnOf.data[index]!;
  }
  traceAt(index: number): number {
    return this.traceOf.data[index]!;
  }
  parentAt(index: number): number {
    return this.parentOf.data[index]!;
  }
  startAt(index: number): number {
    return this.startOf.data[index]!;
  }
  durationAt(index: number): number {
    return this.durationOf.data[index]!;
  }
  failed(index: number): boolean {
    return this.errors[index] !== undefined;
  }

  children(index: number): number[] {
    const out: number[] = [];
    for (let c = this.firstChild.data[index]!; c !== -1; c = this.nextSibling.data[c]!) out.push(c);
    return out;
  }

  inlines(index: number): Inline[] {
    const out: Inline[] = [];
    for (let e = this.firstInline.data[index]!; e !== -1; e = this.inNext.data[e]!) {
      const kind = INLINE_KINDS[this.inKind.data[e]!]!;
      out.push({ kind, time: this.inTime.data[e]!, line: this.inLine.data[e]!, text: this.inText[e]!, error: kind === 'exception' });
    }
    return out;
  }

  traceOfId(traceId: string): number | undefined {
    return this.traceIndex.get(traceId);
  }

  private fn(event: TelemetryEvent): number {
    // The trace model's key (file, name, line): the viewer's calls join its aggregates on it.
    const key = aggregateKey(event.file, event.function_name, event.line);
    let index = this.fnIndex.get(key);
    if (index === undefined) {
      index = this.functions.push({ name: event.function_name, file: event.file ?? '', line: event.line ?? 0 }) - 1;
      this.fnIndex.set(key, index);
    }
    return index;
  }

  private trace(traceId: string): number {
    let index = this.traceIndex.get(traceId);
    if (index === undefined) {
      index = this.traceIds.push(traceId) - 1;
      this.roots.push([]);
      this.traceIndex.set(traceId, index);
    }
    return index;
  }

  private newCall(event: TelemetryEvent, start: number, flags: number): number {
    const trace = this.trace(String(event.trace_id ?? ''));
    const parentId = event.parent_correlation_id;
    let parent = parentId == null ? -1 : (this.ids.get(parentId) ?? -1);
    if (parent !== -1 && this.traceOf.data[parent] !== trace) parent = -1;
    if (parentId != null && parent === -1) flags |= 2;
    const index = this.fnOf.push(this.fn(event));
    this.traceOf.push(trace);
    this.parentOf.push(parent);
    this.startOf.push(start);
    this.durationOf.push(NaN);
    this.flags.push(flags);
    this.firstChild.push(-1);
    this.lastChild.push(-1);
    this.nextSibling.push(-1);
    this.firstInline.push(-1);
    this.lastInline.push(-1);
    this.args.push(undefined);
    this.rets.push(undefined);
    this.errors.push(undefined);
    if (parent === -1) this.roots[trace]!.push(index);
    else {
      const last = this.lastChild.data[parent]!;
      if (last === -1) this.firstChild.data[parent] = index;
      else this.nextSibling.data[last] = index;
      this.lastChild.data[parent] = index;
    }
    if (typeof event.correlation_id === 'string') this.ids.set(event.correlation_id, index);
    return index;
  }

  private enter(event: TelemetryEvent, time: number): void {
    const index = this.newCall(event, time, 0);
    if (event.args && typeof event.args === 'object') this.args[index] = event.args;
    this.open.add(index);
  }

  private exit(event: TelemetryEvent, time: number): void {
    let index = this.ids.get(event.correlation_id);
    const duration = event.duration_ns ?? 0;
    if (index === undefined || !this.open.has(index)) index = this.newCall(event, time - duration, 1);
    this.open.delete(index);
    this.durationOf.data[index] = duration;
    if (typeof event.return === 'string') this.rets[index] = event.return;
    if (event.error && typeof event.error === 'object') this.errors[index] = event.error;
  }

  private inline(call: number, event: TelemetryEvent, time: number): void {
    const e = this.inKind.push(KIND_CODE.get(event.event_type)!);
    this.inLine.push(event.line ?? 0);
    this.inTime.push(time);
    this.inNext.push(-1);
    this.inText.push(describe(event));
    const last = this.lastInline.data[call]!;
    if (last === -1) this.firstInline.data[call] = e;
    else this.inNext.data[last] = e;
    this.lastInline.data[call] = e;
  }
}

function describe(event: TelemetryEvent): string {
  switch (event.event_type) {
    case 'variable_change':
      return `${event.variable ?? '?'} = ${event.redacted ? '<redacted>' : (event.value ?? '')}`;
    case 'branch':
      return event.condition ? `${event.branch} (${event.condition})` : String(event.branch ?? 'branch');
    case 'loop_entry':
      return String(event.loop ?? 'loop');
    case 'loop_exit':
      return `${event.loop ?? 'loop'} ×${event.iterations ?? '?'}${event.suppressed ? ` (${event.suppressed} iteration events suppressed)` : ''}`;
    default:
      return event.error ? `${event.clause ?? 'caught'} ${event.error.type}: ${event.error.message}` : `${event.clause ?? 'caught'}`;
  }
}
