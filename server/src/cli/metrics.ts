// `telemetry-injector metrics [--period 1d|7d|30d] [--format json]`: the LLM layer's own calls, from
// the ledger (.telemetry_cache/llm-ledger.jsonl), or with `--events <files>` the LLM calls a user's
// program made, from its events' gen_ai objects. Prints success rate, p50/p95 latency, cost and
// tokens, calls per model and endpoint (provider, for events), failed calls by type, top functions
// and alerts; exits 1 when an alert fires. Thresholds: flags, else the team file's [alerts].
// Must never write any file, and never stop at a malformed line (it is counted and skipped).
import fs from 'node:fs';
import path from 'node:path';
import { TeamFiles, formatProblem } from '../config/team-file.js';
import { callsFromEvents } from '../llm/event-calls.js';
import { ledgerPath, readLedger } from '../llm/ledger.js';
import { DEFAULT_THRESHOLDS, inPeriod, PERIODS, summarise, type CallSample, type MetricsSummary, type Period, type Thresholds } from '../llm/metrics.js';
import { Prices } from '../llm/prices.js';
import { usd } from '../llm/budget.js';
import type { LedgerRecord } from '../llm/types.js';
import { ExitCode, format, parse, percent, UsageError } from './args.js';
import type { CliContext } from './context.js';
import { displayPath, message } from './sources.js';

export const metricsHelp = {
  usage: 'metrics [--period 1d|7d|30d|all] [--format text|json] [--ledger FILE] [--events <events.jsonl…>]',
  summary: 'LLM call metrics: success rate, latency, cost, tokens and alerts, from the LLM ledger or event files',
  flags: [
    ['--period 1d|7d|30d|all', 'the last day, week or month (default 7d for the ledger, all for --events)'],
    ['--format text|json', 'text: a summary (default); json: every figure'],
    ['--ledger FILE', 'the ledger (default .telemetry_cache/llm-ledger.jsonl)'],
    ['--events', 'read the LLM calls of instrumented programs from these event files instead (gen_ai events)'],
    ['--min-success PERCENT', 'alert below this success rate (default: telemetry.toml [alerts], else 90)'],
    ['--max-p95-ms MS', 'alert above this p95 latency (default 3000)'],
    ['--max-daily-cost USD', 'alert above this cost in one UTC day (default 10)'],
  ],
} as const;

interface Values {
  period?: string;
  format?: string;
  ledger?: string;
  events?: boolean;
  'min-success'?: string;
  'max-p95-ms'?: string;
  'max-daily-cost'?: string;
}

export async function metrics(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<Values>('metrics', args, {
    period: { type: 'string' },
    format: { type: 'string' },
    ledger: { type: 'string' },
    events: { type: 'boolean' },
    'min-success': { type: 'string' },
    'max-p95-ms': { type: 'string' },
    'max-daily-cost': { type: 'string' },
  });
  const output = format('--format', values.format);
  const period = periodOf(values.period, values.events ? 'all' : '7d');
  if (!values.events && positionals.length > 0) throw new UsageError(`metrics: unexpected ${positionals[0]} (event files go after --events)`);
  if (values.events && positionals.length === 0) throw new UsageError('metrics: --events needs at least one event file');
  if (values.events && values.ledger !== undefined) throw new UsageError('metrics: --ledger and --events read different sources; give one');
  const thresholds = await thresholdsOf(values, ctx);
  const { reporter } = ctx;
  const prices = new Prices({ warn: (text) => reporter.warn(text) });

  let samples: CallSample[];
  let malformed: { count: number; where: string[] };
  if (values.events) {
    const files = positionals.map((arg) => ({ arg, abs: path.resolve(ctx.cwd, arg) }));
    for (const { arg, abs } of files) {
      const problem = unreadable(abs, arg, 'event file');
      if (problem) reporter.error(problem);
    }
    if (reporter.errors > 0) return ExitCode.error;
    const read = await callsFromEvents(
      files.map((f) => f.abs),
      prices,
    );
    samples = read.samples;
    malformed = { count: read.counts.malformed, where: read.counts.malformedLines.map(String) };
  } else {
    const file = values.ledger === undefined ? ledgerPath(ctx.cwd) : path.resolve(ctx.cwd, values.ledger);
    const shown = displayPath(ctx.cwd, file);
    if (!fs.existsSync(file)) {
      reporter.error(
        values.ledger === undefined
          ? `no LLM ledger at ${shown}: no LLM call has been made from this folder (or pass --ledger FILE, or --events <files> for a program's own calls)`
          : `no such ledger: ${shown}`,
      );
      return ExitCode.error;
    }
    const problem = unreadable(file, shown, 'ledger');
    if (problem) {
      reporter.error(problem);
      return ExitCode.error;
    }
    let read;
    try {
      read = await readLedger(file);
    } catch (error) {
      reporter.error(`cannot read ${shown}: ${message(error)}`);
      return ExitCode.error;
    }
    samples = read.records.map(fromLedger);
    malformed = { count: read.malformed, where: read.malformedLines.map(String) };
  }
  if (malformed.count > 0) {
    reporter.warn(`${malformed.count} malformed ${malformed.count === 1 ? 'line' : 'lines'} skipped (${malformed.count > malformed.where.length ? `first: ${malformed.where.join(', ')}` : `line ${malformed.where.join(', ')}`})`);
  }
  const summary = summarise(inPeriod(samples, period, Date.now()), period, thresholds);
  const source = values.events ? 'events' : 'ledger';
  ctx.stdout.write(output === 'json' ? `${JSON.stringify({ source, ...summary, malformed_lines: malformed.count }, null, 2)}\n` : asText(summary, source));
  return summary.alerts.length > 0 ? ExitCode.findings : ExitCode.ok;
}

function periodOf(text: string | undefined, fallback: Period | 'all'): Period | 'all' {
  if (text === undefined) return fallback;
  if (text === 'all' || Object.hasOwn(PERIODS, text)) return text as Period | 'all';
  throw new UsageError(`metrics: --period is 1d, 7d, 30d or all, not "${text}"`);
}

async function thresholdsOf(values: Values, ctx: CliContext): Promise<Thresholds> {
  const team = await new TeamFiles().forFolder(ctx.cwd);
  if (team?.problems) for (const p of team.problems) ctx.reporter.warn(`${formatProblem(p, displayPath(ctx.cwd, p.file))} (alert thresholds take their defaults)`);
  const fromFile = team?.config?.alerts ?? {};
  return {
    minSuccessRate: percent('--min-success', values['min-success']) ?? fromFile.min_success_rate ?? DEFAULT_THRESHOLDS.minSuccessRate,
    maxP95Ms: amount('--max-p95-ms', values['max-p95-ms']) ?? fromFile.max_p95_ms ?? DEFAULT_THRESHOLDS.maxP95Ms,
    maxDailyCostUsd: amount('--max-daily-cost', values['max-daily-cost']?.replace(/^\$/, '')) ?? fromFile.max_daily_cost_usd ?? DEFAULT_THRESHOLDS.maxDailyCostUsd,
  };
}

function amount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (value.trim() === '' || !Number.isFinite(number) || number < 0) throw new UsageError(`metrics: ${flag} wants a number ≥ 0, not "${value}"`);
  return number;
}

function fromLedger(r: LedgerRecord): CallSample {
  return {
    timestampMs: Date.parse(r.timestamp),
    success: r.success,
    errorType: r['error.type'] ?? null,
    model: r['gen_ai.response.model'] ?? r['gen_ai.request.model'] ?? null,
    endpoint: typeof r.endpoint === 'string' ? r.endpoint : null,
    durationMs: r.duration_ms,
    costUsd: r.cost_usd,
    inputTokens: numberOr0(r['gen_ai.usage.input_tokens']),
    outputTokens: numberOr0(r['gen_ai.usage.output_tokens']),
    gpuSeconds: numberOr0(r.gpu_seconds),
    function: r.function_id ?? null,
  };
}

const numberOr0 = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

function asText(s: MetricsSummary, source: 'ledger' | 'events'): string {
  const where = source === 'events' ? 'provider' : 'endpoint';
  const lines = [
    `LLM calls (${source === 'events' ? 'from events' : 'from the ledger'}, period ${s.period}): ${s.calls}, ${s.succeeded} succeeded, ${s.failed} failed`,
  ];
  if (s.calls === 0) return `${lines.join('\n')}\n`;
  lines.push(
    `success rate  ${s.success_rate}%`,
    `latency       p50 ${ms(s.latency_ms.p50)}, p95 ${ms(s.latency_ms.p95)}`,
    `cost          ${usd(s.cost_usd)} (llm.cost.total_usd)`,
    `tokens        ${s.tokens.input} in, ${s.tokens.output} out`,
  );
  if (s.gpu_seconds > 0) lines.push(`gpu seconds   ${s.gpu_seconds}`);
  const table = (title: string, counts: Record<string, number>) => {
    if (Object.keys(counts).length === 0) return;
    lines.push(`${title}:`, ...Object.entries(counts).map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`));
  };
  table('calls per model', s.by_model);
  table(`calls per ${where}`, s.by_endpoint);
  table('failed calls by error type', s.failed_by_type);
  if (s.top_functions.length > 0) {
    lines.push('top functions:', ...s.top_functions.map((f) => `  ${String(f.calls).padStart(6)}  ${usd(f.cost_usd).padStart(10)}  ${f.function}${f.failed ? ` (${f.failed} failed)` : ''}`));
  }
  lines.push(s.alerts.length === 0 ? 'alerts: none' : 'alerts:', ...s.alerts.map((a) => `  ! ${a.message}`));
  return `${lines.join('\n')}\n`;
}

const ms = (value: number | null) => (value === null ? '-' : `${value} ms`);

function unreadable(file: string, arg: string, what: string): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return `no such file or directory: ${arg}`;
  if (stat.isDirectory()) return `not ${what === 'ledger' ? 'a ledger' : 'an event file'} but a folder: ${arg}`;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (error) {
    return `cannot read ${arg}: ${message(error)}`;
  }
}
