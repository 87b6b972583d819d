// The viewer's model: streams event files once (trace/event-stream.ts) into a call forest
// (trace/call-tree.ts), then indexes it for the page: timeline rows (one band per concurrent task,
// so overlapping async work gets its own lanes), per-trace summaries, per-function call lists, and
// search. Every answer is a bounded page of plain JSON, so the browser never holds the whole file.
// Must never hold raw event lines, never answer unbounded lists, never write files.
import path from 'node:path';
import type { TelemetryEvent } from '../../../protocol/events.js';
import { CallForest, type Call } from '../trace/call-tree.js';
import { emptyCounts, readEvents, type ReadCounts } from '../trace/event-stream.js';
import { TraceAggregator } from '../trace/aggregate.js';
import { functionFigures, type FunctionFigures } from './view-aggregates.js';

export interface FileCounts extends ReadCounts {
  path: string;
}

export interface TraceSummary {
  index: number;
  id: string;
  root: string;
  start: number;
  duration: number;
  calls: number;
  errors: number;
}

export interface TreeNode {
  call: number;
  depth: number;
  name: string;
  file: string;
  line: number;
  start: number;
  duration: number | null;
  args?: Record<string, string>;
  ret?: string;
  error?: { type: string; message: string };
  /** Fine-grained events, `time` from the first event like `start`. */
  inline: { kind: string; time: number; line: number; text: string; error: boolean }[];
}

const TIMESTAMP = /"timestamp_ns":\s*(\d+)/;
const TREE_LIMIT = 5000;
const BAR_LIMIT = 20000;
const PAGE_LIMIT = 500;

export class ViewIndex {
  readonly files: FileCounts[] = [];
  /** Where relative source paths in events resolve (links back to the editor). */
  root = '';
  /** The first timestamp read (ns since the epoch); every time here is an offset from it. */
  base: bigint | undefined;
  readonly forest = new CallForest();
  /** The trace model's per-function aggregates, fed from the same read. */
  readonly aggregator = new TraceAggregator();
  /** Earliest and latest timestamps seen (ns). */
  first = Infinity;
  last = -Infinity;
  private order = new Int32Array(0);
  private rows = new Int32Array(0);
  /** The task band of each call: concurrent root calls get their own. */
  private bands = new Int32Array(0);
  bandCount = 0;
  private rowCount = 0;
  private traceCalls: Int32Array = new Int32Array(0);
  private traceErrors: Int32Array = new Int32Array(0);
  private traceStart: Float64Array = new Float64Array(0);
  private traceEnd: Float64Array = new Float64Array(0);
  private readonly callsByFn = new Map<number, Int32Array>();
  private figures: FunctionFigures[] = [];

  static async load(paths: readonly string[], cwd: string): Promise<ViewIndex> {
    const index = new ViewIndex();
    index.root = cwd;
    for (const file of paths) {
      const counts = emptyCounts();
      for await (const { event, raw } of readEvents(file, counts)) index.add(event, raw);
      index.files.push({ path: path.relative(cwd, file) || file, ...counts });
    }
    index.finish();
    return index;
  }

  // Times are kept as exact offsets from the first timestamp read: nanoseconds since the epoch
  // exceed 2^53, and JSON.parse would round them to 256 ns.
  private add(event: TelemetryEvent, raw: string): void {
    const digits = TIMESTAMP.exec(raw)?.[1];
    let ts = event.timestamp_ns;
    if (digits !== undefined) {
      const exact = BigInt(digits);
      this.base ??= exact;
      ts = Number(exact - this.base);
    } else if (typeof ts === 'number') ts -= Number(this.base ?? 0n);
    if (ts < this.first) this.first = ts;
    if (ts > this.last) this.last = ts;
    this.forest.add(event, ts);
    this.aggregator.add(event);
  }

  private finish(): void {
    const forest = this.forest;
    forest.finish();
    const n = forest.size;
    if (n === 0) this.first = this.last = 0;
    // Runtimes time durations on a monotonic clock and stamp events on the wall clock: a call may
    // end a little after the last stamp.
    for (let i = 0; i < n; i++) this.last = Math.max(this.last, forest.startAt(i) + (forest.durationAt(i) || 0));
    this.order = Int32Array.from({ length: n }, (_, i) => i);
    this.order.sort((a, b) => forest.startAt(a) - forest.startAt(b));
    this.assignRows();
    const traces = forest.traceIds.length;
    this.traceCalls = new Int32Array(traces);
    this.traceErrors = new Int32Array(traces);
    this.traceStart = new Float64Array(traces).fill(Infinity);
    this.traceEnd = new Float64Array(traces).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      const t = forest.traceAt(i);
      this.traceCalls[t]!++;
      if (forest.failed(i)) this.traceErrors[t]!++;
      this.traceStart[t] = Math.min(this.traceStart[t]!, forest.startAt(i));
      this.traceEnd[t] = Math.max(this.traceEnd[t]!, this.end(i));
    }
    this.figures = functionFigures(this.aggregator, forest);
  }

  /** A call's end; an unfinished call lasts to the end of the input. */
  private end(call: number): number {
    const d = this.forest.durationAt(call);
    return Number.isNaN(d) ? this.last : this.forest.startAt(call) + d;
  }

  // Roots are packed into bands (a band per task running at the same time); inside a band each call
  // sits below its parent, on the first row free at its start, so overlapping siblings split.
  private assignRows(): void {
    const forest = this.forest;
    const band = new Int32Array(forest.size);
    const rel = new Int32Array(forest.size);
    const bandEnd: number[] = [];
    const bandRows: number[][] = [];
    for (const call of this.order) {
      const start = forest.startAt(call);
      const end = this.end(call);
      const parent = forest.parentAt(call);
      let b: number;
      let from: number;
      if (parent === -1) {
        b = bandEnd.findIndex((e) => e <= start);
        if (b === -1) {
          b = bandEnd.push(end) - 1;
          bandRows.push([]);
        }
        bandEnd[b] = Math.max(bandEnd[b]!, end);
        from = 0;
      } else {
        b = band[parent]!;
        from = rel[parent]! + 1;
        bandEnd[b] = Math.max(bandEnd[b]!, end);
      }
      const rows = bandRows[b]!;
      let r = from;
      while (r < rows.length && rows[r]! > start) r++;
      rows[r] = end;
      band[call] = b;
      rel[call] = r;
    }
    const offset: number[] = [];
    let total = 0;
    for (const rows of bandRows) {
      offset.push(total);
      total += rows.length;
    }
    this.bands = band;
    this.bandCount = bandRows.length;
    this.rows = new Int32Array(forest.size);
    for (let i = 0; i < forest.size; i++) this.rows[i] = offset[band[i]!]! + rel[i]!;
    this.rowCount = total;
  }

  summary() {
    return {
      root: this.root,
      files: this.files,
      skipped: this.files.reduce((s, f) => s + f.malformed + f.unknownType + f.otherVersion, 0),
      calls: this.forest.size,
      inline: this.forest.inlineCount,
      orphans: this.forest.orphans,
      traces: this.forest.traceIds.length,
      functions: this.forest.functions.length,
      base: String(this.base ?? 0n),
      first: this.first,
      last: this.last,
      rows: this.rowCount,
    };
  }

  functions(): FunctionFigures[] {
    return this.figures;
  }

  /**
   * Bars overlapping [from, to] (ns from the first event). Calls narrower than one of `px` pixels
   * are not sent one by one: they are counted per pixel column and row (`dense`), so a zoomed-out
   * view of a million calls still shows where the work was, in a bounded answer.
   */
  timeline(from: number, to: number, px: number) {
    const forest = this.forest;
    const width = Math.max(1, Math.min(Math.round(px), 8192));
    const scale = width / Math.max(to - from, 1);
    const min = 1 / scale;
    const bars: number[][] = [];
    const dense = new Map<number, [number, number]>();
    let hidden = 0;
    for (const call of this.order) {
      const start = forest.startAt(call) - this.first;
      if (start > to) break;
      const end = this.end(call) - this.first;
      if (end < from) continue;
      if (end - start < min || bars.length >= BAR_LIMIT) {
        hidden++;
        const key = this.rows[call]! * width + Math.min(width - 1, Math.max(0, Math.floor((start - from) * scale)));
        const cell = dense.get(key) ?? [0, 0];
        cell[0]++;
        if (forest.failed(call)) cell[1]++;
        dense.set(key, cell);
        continue;
      }
      bars.push([call, start, end - start, this.rows[call]!, forest.fnAt(call), forest.failed(call) ? 1 : 0, forest.traceAt(call)]);
    }
    const cells = [...dense].map(([key, [count, failed]]) => [key % width, Math.floor(key / width), count, failed]);
    return { from, to, rows: this.rowCount, bars, hidden, width, dense: cells };
  }

  /** Traces matching `q` (a function name, a file or a trace id, case-insensitive), earliest first. */
  traces(q: string, offset: number, limit: number) {
    const forest = this.forest;
    const needle = q.trim().toLowerCase();
    let matches: number[];
    if (needle === '') matches = Array.from({ length: forest.traceIds.length }, (_, i) => i);
    else {
      const fns = new Set<number>();
      forest.functions.forEach((f, i) => {
        if (f.name.toLowerCase().includes(needle) || f.file.toLowerCase().includes(needle)) fns.add(i);
      });
      const hit = new Set<number>();
      forest.traceIds.forEach((id, i) => {
        if (id.toLowerCase().startsWith(needle)) hit.add(i);
      });
      if (fns.size > 0) for (let i = 0; i < forest.size; i++) if (fns.has(forest.fnAt(i))) hit.add(forest.traceAt(i));
      matches = [...hit];
    }
    matches.sort((a, b) => this.traceStart[a]! - this.traceStart[b]!);
    return { total: matches.length, offset, items: matches.slice(offset, offset + Math.min(limit, PAGE_LIMIT)).map((t) => this.traceSummary(t)) };
  }

  traceSummary(t: number): TraceSummary {
    const forest = this.forest;
    const root = forest.roots[t]![0];
    return {
      index: t,
      id: forest.traceIds[t]!,
      root: root === undefined ? '?' : forest.functions[forest.fnAt(root)]!.name,
      start: this.traceStart[t]! - this.first,
      duration: this.traceEnd[t]! - this.traceStart[t]!,
      calls: this.traceCalls[t]!,
      errors: this.traceErrors[t]!,
    };
  }

  /** The calls of one function, earliest first, a page at a time. */
  calls(fn: number, offset: number, limit: number) {
    let list = this.callsByFn.get(fn);
    if (!list) {
      const found: number[] = [];
      for (const call of this.order) if (this.forest.fnAt(call) === fn) found.push(call);
      list = Int32Array.from(found);
      this.callsByFn.set(fn, list);
    }
    const items = Array.from(list.subarray(offset, offset + Math.min(limit, PAGE_LIMIT)), (c) => this.node(this.forest.call(c), 0, false));
    return { total: list.length, offset, items };
  }

  /** One trace's calls in pre-order with their depth, fine-grained events inline; at most TREE_LIMIT calls. */
  tree(t: number) {
    const forest = this.forest;
    const nodes: TreeNode[] = [];
    const stack: [number, number][] = forest.roots[t]!.map((c) => [c, 0] as [number, number]).reverse();
    while (stack.length > 0 && nodes.length < TREE_LIMIT) {
      const [call, depth] = stack.pop()!;
      nodes.push(this.node(forest.call(call), depth, true));
      const kids = forest.children(call);
      for (let k = kids.length - 1; k >= 0; k--) stack.push([kids[k]!, depth + 1]);
    }
    return { trace: this.traceSummary(t), nodes, truncated: stack.length > 0 };
  }

  bandOf(call: number): number {
    return this.bands[call]!;
  }

  /** Calls in start order. */
  get startOrder(): Int32Array {
    return this.order;
  }

  /** A call's end (ns since the epoch); an unfinished one ends with the input. */
  endOf(call: number): number {
    return this.end(call);
  }

  traceByCall(call: number): number | undefined {
    return call >= 0 && call < this.forest.size ? this.forest.traceAt(call) : undefined;
  }

  private node(call: Call, depth: number, inline: boolean): TreeNode {
    const fn = this.forest.functions[call.fn]!;
    return {
      call: call.index,
      depth,
      name: fn.name,
      file: fn.file,
      line: fn.line,
      start: call.start - this.first,
      duration: Number.isNaN(call.duration) ? null : call.duration,
      args: call.args,
      ret: call.ret,
      error: call.error ? { type: call.error.type, message: call.error.message } : undefined,
      inline: inline ? this.forest.inlines(call.index).map(({ kind, time, line, text, error }) => ({ kind, time: time - this.first, line, text, error })) : [],
    };
  }
}
