// `telemetry-injector report <events.jsonl…>`: reads event files (one JSON object per line, the
// DESIGN.md event schema) and prints, per function, calls, errors and total/mean/p95 duration_ns
// from its function_exit events, slowest total first, with the count of malformed lines.
// Must never load a whole event file into memory (files are streamed line by line), never modify one.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import type { TelemetryEvent } from '../../../protocol/events.js';
import { ExitCode, format, needPaths, parse } from './args.js';
import type { CliContext } from './context.js';
import { displayPath, message } from './sources.js';

export const reportHelp = {
  usage: 'report <events.jsonl…> [--format text|json]',
  summary: 'summarise event files: calls, errors and durations per function, slowest first',
  flags: [['--format text|json', 'text: a table (default); json: exact nanoseconds and malformed line numbers']],
} as const;

/** Malformed line numbers kept per file (all are counted). */
const LINES_KEPT = 20;

interface FunctionStats {
  name: string;
  file: string | null;
  line: number | null;
  errors: number;
  durations: number[];
  /** Calls the runtime's per-function rate limit left out, as the recorded exits count them. */
  dropped: number;
}

interface Malformed {
  path: string;
  count: number;
  lines: number[];
}

export async function report(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<{ format?: string }>('report', args, { format: { type: 'string' } });
  needPaths('report', positionals, 'event file');
  const output = format('--format', values.format);
  const { reporter } = ctx;
  const paths = positionals.map((arg) => ({ arg, abs: path.resolve(ctx.cwd, arg) }));
  for (const { arg, abs } of paths) {
    const problem = unreadable(abs, arg);
    if (problem) reporter.error(problem);
  }
  if (reporter.errors > 0) return ExitCode.error;

  const stats = new Map<string, FunctionStats>();
  const malformed: Malformed[] = [];
  let events = 0;
  for (const { abs } of paths) {
    const bad: Malformed = { path: displayPath(ctx.cwd, abs), count: 0, lines: [] };
    try {
      events += await readEvents(abs, stats, (line) => {
        if (bad.lines.length < LINES_KEPT) bad.lines.push(line);
        bad.count++;
      });
    } catch (error) {
      reporter.error(`cannot read ${bad.path}: ${message(error)}`);
      return ExitCode.error;
    }
    if (bad.count > 0) malformed.push(bad);
  }
  const rows = [...stats.values()].map(summarise).sort((a, b) => b.total_ns - a.total_ns || a.name.localeCompare(b.name));
  ctx.stdout.write(output === 'json' ? asJson(rows, events, malformed) : asText(rows, events, malformed));
  return ExitCode.ok;
}

/** Counts events into `stats`; returns how many well-formed events the file held. */
async function readEvents(file: string, stats: Map<string, FunctionStats>, malformed: (line: number) => void): Promise<number> {
  const lines = readline.createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  let number = 0;
  let events = 0;
  for await (const line of lines) {
    number++;
    if (line.trim() === '') continue;
    const event = parseEvent(line);
    if (!event) {
      malformed(number);
      continue;
    }
    events++;
    if (event.event_type !== 'function_exit') continue;
    const entry = statsOf(stats, event.function_name, event.file, event.line);
    entry.durations.push(event.duration_ns!);
    if (event.error) entry.errors++;
    for (const drop of Array.isArray(event.dropped_calls) ? event.dropped_calls : []) {
      if (typeof drop?.function_name !== 'string' || !Number.isInteger(drop.count) || drop.count < 1) continue;
      statsOf(stats, drop.function_name, typeof drop.file === 'string' ? drop.file : undefined, drop.line).dropped += drop.count;
    }
  }
  return events;
}

function statsOf(stats: Map<string, FunctionStats>, name: string, file: string | undefined, line: number | undefined) {
  const key = `${file ?? ''}\0${name}`;
  let entry = stats.get(key);
  if (!entry) {
    entry = { name, file: file ?? null, line: typeof line === 'number' ? line : null, errors: 0, durations: [], dropped: 0 };
    stats.set(key, entry);
  }
  return entry;
}

/** What report reads of an event: the contract's fields, any of them possibly missing in a file. */
type Event = Pick<TelemetryEvent, 'event_type' | 'function_name'> &
  Partial<Pick<TelemetryEvent, 'file' | 'line' | 'duration_ns' | 'error' | 'dropped_calls'>>;

/** The event on one line, or undefined when the line is not one (a function_exit needs its duration). */
function parseEvent(line: string): Event | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const event = value as Record<string, unknown>;
  if (typeof event.event_type !== 'string' || typeof event.function_name !== 'string') return undefined;
  if (event.file !== undefined && typeof event.file !== 'string') return undefined;
  if (event.line !== undefined && typeof event.line !== 'number') return undefined;
  if (event.event_type === 'function_exit') {
    const duration = event.duration_ns;
    if (typeof duration !== 'number' || !Number.isFinite(duration) || duration < 0) return undefined;
  }
  return event as unknown as Event;
}

function summarise(stats: FunctionStats) {
  const sorted = [...stats.durations].sort((a, b) => a - b);
  const total = sorted.reduce((sum, d) => sum + d, 0);
  const recorded = sorted.length;
  return {
    name: stats.name,
    file: stats.file,
    line: stats.line,
    // Durations are a sample when the rate limit left calls out; the call count stays whole.
    calls: recorded + stats.dropped,
    recorded,
    errors: stats.errors,
    total_ns: total,
    // Null when every call was left out and no duration was recorded.
    mean_ns: recorded > 0 ? Math.round(total / recorded) : null,
    // Nearest rank: the smallest duration that at least 95% of calls do not exceed.
    p95_ns: recorded > 0 ? sorted[Math.ceil(0.95 * recorded) - 1]! : null,
  };
}

type Row = ReturnType<typeof summarise>;

function asJson(rows: readonly Row[], events: number, malformed: readonly Malformed[]): string {
  const count = malformed.reduce((sum, m) => sum + m.count, 0);
  return `${JSON.stringify({ functions: rows, events, malformed: { count, files: malformed } }, null, 2)}\n`;
}

function asText(rows: readonly Row[], events: number, malformed: readonly Malformed[]): string {
  const header = ['calls', 'errors', 'total', 'mean', 'p95', 'function'];
  const table = rows.map((r) => [
    String(r.calls),
    String(r.errors),
    duration(r.total_ns),
    r.mean_ns === null ? '-' : duration(r.mean_ns),
    r.p95_ns === null ? '-' : duration(r.p95_ns),
    r.file ? `${r.name} (${r.file}${r.line !== null ? `:${r.line}` : ''})` : r.name,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const render = (row: string[]) =>
    row.map((cell, i) => (i === row.length - 1 ? cell : cell.padStart(widths[i]!))).join('  ');
  const count = malformed.reduce((sum, m) => sum + m.count, 0);
  const lines = rows.length > 0 ? [render(header), ...table.map(render)] : ['no function_exit events'];
  lines.push(`${rows.length} functions, ${events} events, ${count} malformed ${count === 1 ? 'line' : 'lines'}`);
  for (const m of malformed) {
    const more = m.count > m.lines.length ? ', …' : '';
    lines.push(`  ${m.path}: ${m.count} malformed (${m.count === 1 ? 'line' : 'lines'} ${m.lines.join(', ')}${more})`);
  }
  return `${lines.join('\n')}\n`;
}

/** Nanoseconds in the largest unit that keeps a digit before the point. */
function duration(ns: number): string {
  if (ns >= 1e9) return `${(ns / 1e9).toFixed(2)}s`;
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)}ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(1)}µs`;
  return `${Math.round(ns)}ns`;
}

/** Why `file` cannot be read, as a message naming `arg`; undefined when it can. */
function unreadable(file: string, arg: string): string | undefined {
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat) return `no such file or directory: ${arg}`;
  if (stat.isDirectory()) return `not an event file but a folder: ${arg}`;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return undefined;
  } catch (error) {
    return `cannot read ${arg}: ${message(error)}`;
  }
}
