// Per-function figures for the viewer's table, read from the trace model's aggregator
// (trace/aggregate.ts), the same one behind the code lenses and `report`, so both show one set of
// numbers. Joins each aggregate to the call forest's function by the same key.
// Must never compute a figure itself.
import { aggregateKey, summarise, topCounts, type TraceAggregator } from '../trace/aggregate.js';
import type { CallForest } from '../trace/call-tree.js';

export interface FunctionFigures {
  /** The forest's function index (for its calls), or -1 when the aggregate has no call in the forest. */
  fn: number;
  name: string;
  file: string;
  line: number;
  calls: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** False when the percentiles are the sketch's estimates (within 1 %). */
  exact: boolean;
  lastSeen: number | null;
  topErrors: { type: string; count: number }[];
}

export function functionFigures(aggregator: TraceAggregator, forest: CallForest): FunctionFigures[] {
  const index = new Map(forest.functions.map((f, i) => [aggregateKey(f.file, f.name, f.line), i]));
  return [...aggregator.functions.values()].map((fn) => {
    const s = summarise(fn);
    return {
      fn: index.get(fn.key) ?? -1,
      name: fn.name,
      file: fn.file ?? '',
      line: fn.line ?? 0,
      calls: s.calls,
      errors: s.errors,
      p50: s.p50Ns,
      p95: s.p95Ns,
      p99: s.p99Ns,
      exact: s.exact,
      lastSeen: fn.lastSeenNs,
      topErrors: topCounts(fn.errorTypes, 3).map(([type, count]) => ({ type, count })),
    };
  });
}
