// The `metrics` figures: success rate, p50/p95 latency, cost and tokens, calls per model and per
// endpoint, failed calls by error type, top functions, cost per UTC day, and the alerts those
// figures raise against thresholds. Plain data in, plain data out: the CLI reads the ledger or
// event files into CallSamples; this module only counts.
// Must never read files or the clock (the period's end is passed in).

/** One LLM call, from a ledger line or from a user program's events. */
export interface CallSample {
  timestampMs: number;
  success: boolean;
  errorType: string | null;
  model: string | null;
  endpoint: string | null;
  /** Null when unknown (an event with no enclosing exit). */
  durationMs: number | null;
  costUsd: number;
  inputTokens: number;
  outputTokens: number;
  gpuSeconds: number;
  /** The calling function (events) or function id (ledger), when known. */
  function: string | null;
}

export interface Thresholds {
  /** Percent: alert when the success rate is below it. */
  minSuccessRate: number;
  maxP95Ms: number;
  maxDailyCostUsd: number;
}

export const DEFAULT_THRESHOLDS: Thresholds = { minSuccessRate: 90, maxP95Ms: 3000, maxDailyCostUsd: 10 };

export const PERIODS = { '1d': 1, '7d': 7, '30d': 30 } as const;
export type Period = keyof typeof PERIODS;

export interface Alert {
  metric: 'success_rate' | 'p95_latency_ms' | 'daily_cost_usd';
  value: number;
  threshold: number;
  message: string;
}

export interface MetricsSummary {
  period: Period | 'all';
  calls: number;
  succeeded: number;
  failed: number;
  /** Percent, or null with no calls. */
  success_rate: number | null;
  latency_ms: { p50: number | null; p95: number | null };
  cost_usd: number;
  tokens: { input: number; output: number };
  gpu_seconds: number;
  by_model: Record<string, number>;
  by_endpoint: Record<string, number>;
  failed_by_type: Record<string, number>;
  /** Functions making the most calls, with their cost; at most 10. */
  top_functions: { function: string; calls: number; failed: number; cost_usd: number }[];
  daily_cost_usd: Record<string, number>;
  alerts: Alert[];
}

/** Samples within the last `period` days before `nowMs` (all of them for 'all'). */
export function inPeriod(samples: readonly CallSample[], period: Period | 'all', nowMs: number): CallSample[] {
  if (period === 'all') return [...samples];
  const since = nowMs - PERIODS[period] * 86_400_000;
  return samples.filter((s) => s.timestampMs > since && s.timestampMs <= nowMs);
}

export function summarise(samples: readonly CallSample[], period: Period | 'all', thresholds: Thresholds = DEFAULT_THRESHOLDS): MetricsSummary {
  const succeeded = samples.filter((s) => s.success).length;
  const durations = samples.flatMap((s) => (s.durationMs === null ? [] : [s.durationMs])).sort((a, b) => a - b);
  const summary: MetricsSummary = {
    period,
    calls: samples.length,
    succeeded,
    failed: samples.length - succeeded,
    success_rate: samples.length === 0 ? null : round((100 * succeeded) / samples.length, 2),
    latency_ms: { p50: nearestRank(durations, 0.5), p95: nearestRank(durations, 0.95) },
    cost_usd: sum(samples, (s) => s.costUsd),
    tokens: { input: sum(samples, (s) => s.inputTokens), output: sum(samples, (s) => s.outputTokens) },
    gpu_seconds: round(sum(samples, (s) => s.gpuSeconds), 3),
    by_model: countBy(samples, (s) => s.model ?? 'unknown'),
    by_endpoint: countBy(samples, (s) => s.endpoint ?? 'unknown'),
    failed_by_type: countBy(
      samples.filter((s) => !s.success),
      (s) => s.errorType ?? 'unknown',
    ),
    top_functions: topFunctions(samples),
    daily_cost_usd: dailyCost(samples),
    alerts: [],
  };
  summary.alerts = alerts(summary, thresholds);
  return summary;
}

function alerts(summary: MetricsSummary, t: Thresholds): Alert[] {
  const found: Alert[] = [];
  if (summary.success_rate !== null && summary.success_rate < t.minSuccessRate) {
    found.push({ metric: 'success_rate', value: summary.success_rate, threshold: t.minSuccessRate, message: `success rate ${summary.success_rate}% is below ${t.minSuccessRate}%` });
  }
  const p95 = summary.latency_ms.p95;
  if (p95 !== null && p95 > t.maxP95Ms) {
    found.push({ metric: 'p95_latency_ms', value: p95, threshold: t.maxP95Ms, message: `p95 latency ${p95} ms is above ${t.maxP95Ms} ms` });
  }
  for (const [day, cost] of Object.entries(summary.daily_cost_usd)) {
    if (cost > t.maxDailyCostUsd) {
      found.push({ metric: 'daily_cost_usd', value: cost, threshold: t.maxDailyCostUsd, message: `cost on ${day} was $${cost.toFixed(2)}, above $${t.maxDailyCostUsd}` });
    }
  }
  return found;
}

/** Nearest rank: the smallest value that at least `q` of the values do not exceed (as `report`). */
function nearestRank(sorted: readonly number[], q: number): number | null {
  return sorted.length === 0 ? null : round(sorted[Math.ceil(q * sorted.length) - 1]!, 3);
}

function topFunctions(samples: readonly CallSample[]): MetricsSummary['top_functions'] {
  const by = new Map<string, { function: string; calls: number; failed: number; cost_usd: number }>();
  for (const s of samples) {
    if (s.function === null) continue;
    const row = by.get(s.function) ?? { function: s.function, calls: 0, failed: 0, cost_usd: 0 };
    row.calls++;
    if (!s.success) row.failed++;
    row.cost_usd += s.costUsd;
    by.set(s.function, row);
  }
  return [...by.values()]
    .sort((a, b) => b.cost_usd - a.cost_usd || b.calls - a.calls || a.function.localeCompare(b.function))
    .slice(0, 10);
}

function dailyCost(samples: readonly CallSample[]): Record<string, number> {
  const days: Record<string, number> = {};
  for (const s of samples) {
    const day = new Date(s.timestampMs).toISOString().slice(0, 10);
    days[day] = (days[day] ?? 0) + s.costUsd;
  }
  return Object.fromEntries(Object.entries(days).sort(([a], [b]) => a.localeCompare(b)));
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a, x], [b, y]) => y - x || a.localeCompare(b)));
}

function sum<T>(items: readonly T[], value: (item: T) => number): number {
  return items.reduce((total, item) => total + value(item), 0);
}

function round(value: number, places: number): number {
  const f = 10 ** places;
  return Math.round(value * f) / f;
}
