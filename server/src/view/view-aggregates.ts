// Per-function figures for the viewer's table: calls, errors, p50/p95/p99 duration and the top
// exception types, one row per function of the call forest.
// Must never compute figures differently from the code lenses: when the trace model's aggregator
// is available it is the one source of these numbers.
import type { CallForest } from '../trace/call-tree.js';

export interface FunctionFigures {
  fn: number;
  name: string;
  file: string;
  line: number;
  calls: number;
  errors: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  topErrors: { type: string; count: number }[];
}

export async function functionAggregates(_paths: readonly string[], forest: CallForest): Promise<FunctionFigures[]> {
  const durations = forest.functions.map(() => [] as number[]);
  const errors = forest.functions.map(() => new Map<string, number>());
  for (let i = 0; i < forest.size; i++) {
    const d = forest.durationAt(i);
    if (Number.isNaN(d)) continue;
    const fn = forest.fnAt(i);
    durations[fn]!.push(d);
    const error = forest.call(i).error;
    if (error) errors[fn]!.set(error.type, (errors[fn]!.get(error.type) ?? 0) + 1);
  }
  return forest.functions.map((f, fn) => {
    const sorted = Float64Array.from(durations[fn]!).sort();
    const q = (p: number) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!);
    const errs = [...errors[fn]!].sort((a, b) => b[1] - a[1]);
    return {
      fn,
      ...f,
      calls: sorted.length,
      errors: errs.reduce((s, [, c]) => s + c, 0),
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      topErrors: errs.slice(0, 3).map(([type, count]) => ({ type, count })),
    };
  });
}
