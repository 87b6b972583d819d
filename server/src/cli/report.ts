// `telemetry-injector report <events.jsonl…>`: reads event files through the trace model
// (server/src/trace/: the one event reader and the per-function aggregates) and prints, per
// function, calls, errors and total/mean/p95 duration_ns, slowest total first, with the count of
// skipped lines. p95 is exact up to 256 recorded calls of a function, then within 1% (DDSketch).
// Must never load a whole event file into memory (files are streamed line by line), never modify one.
import fs from 'node:fs';
import path from 'node:path';
import { emptyAggregate, mergeAggregate, summarise, TraceAggregator, type FunctionAggregate } from '../trace/aggregate.js';
import { emptyCounts, otherVersionMessage, readEvents } from '../trace/event-stream.js';
import { ExitCode, format, needPaths, parse } from './args.js';
import type { CliContext } from './context.js';
import { displayPath, message } from './sources.js';

export const reportHelp = {
  usage: 'report <events.jsonl…> [--format text|json]',
  summary: 'summarise event files: calls, errors and durations per function, slowest first',
  flags: [['--format text|json', 'text: a table (default); json: exact nanoseconds and malformed line numbers']],
} as const;

interface Malformed {
  path: string;
  count: number;
  lines: number[];
}

interface Skipped {
  /** Well-formed events of a type this version does not know. */
  unknownType: number;
  /** Events of another schema major version. */
  otherVersion: number;
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

  const model = new TraceAggregator();
  const malformed: Malformed[] = [];
  const skipped: Skipped = { unknownType: 0, otherVersion: 0 };
  let events = 0;
  for (const { abs } of paths) {
    const shown = displayPath(ctx.cwd, abs);
    const counts = emptyCounts();
    try {
      for await (const { event } of readEvents(abs, counts)) model.add(event);
    } catch (error) {
      reporter.error(`cannot read ${shown}: ${message(error)}`);
      return ExitCode.error;
    }
    events += counts.events;
    skipped.unknownType += counts.unknownType;
    skipped.otherVersion += counts.otherVersion;
    if (counts.malformed > 0) malformed.push({ path: shown, count: counts.malformed, lines: counts.malformedLines });
    const refused = otherVersionMessage(counts, shown);
    if (refused) reporter.error(refused);
  }
  const rows = byFunction(model).map(row).sort((a, b) => b.total_ns - a.total_ns || a.name.localeCompare(b.name));
  ctx.stdout.write(output === 'json' ? asJson(rows, events, malformed, skipped) : asText(rows, events, malformed, skipped));
  // Events of a schema this version cannot read are refused: the figures above leave them out.
  return skipped.otherVersion > 0 ? ExitCode.error : ExitCode.ok;
}

/** One aggregate per file and name, as report has always counted (the model also keys by line). */
function byFunction(model: TraceAggregator): FunctionAggregate[] {
  const rows = new Map<string, FunctionAggregate>();
  for (const fn of model.functions.values()) {
    const key = `${fn.file ?? ''}\0${fn.name}`;
    let merged = rows.get(key);
    if (!merged) rows.set(key, (merged = emptyAggregate(key, fn.name, fn.file, fn.line)));
    mergeAggregate(merged, fn);
  }
  return [...rows.values()];
}

function row(fn: FunctionAggregate) {
  const s = summarise(fn);
  return {
    name: fn.name,
    file: fn.file,
    line: fn.line,
    // Durations are a sample when the call limits left calls out; the call count stays whole.
    calls: s.calls,
    recorded: s.recorded,
    errors: s.errors,
    total_ns: s.totalNs,
    // Null when every call was left out and no duration was recorded.
    mean_ns: s.meanNs === null ? null : Math.round(s.meanNs),
    // Nearest rank while exact (at most 256 recorded calls), else DDSketch's estimate (1% relative error).
    p95_ns: s.p95Ns === null ? null : Math.round(s.p95Ns),
  };
}
type Row = ReturnType<typeof row>;

function asJson(rows: readonly Row[], events: number, malformed: readonly Malformed[], skipped: Skipped): string {
  const count = malformed.reduce((sum, m) => sum + m.count, 0);
  return `${JSON.stringify({ functions: rows, events, malformed: { count, files: malformed }, skipped }, null, 2)}\n`;
}

function asText(rows: readonly Row[], events: number, malformed: readonly Malformed[], skipped: Skipped): string {
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
  const unknown = skipped.unknownType > 0 ? `, ${skipped.unknownType} of unknown types` : '';
  const other = skipped.otherVersion > 0 ? `, ${skipped.otherVersion} of another schema version` : '';
  lines.push(`${rows.length} functions, ${events} events, ${count} malformed ${count === 1 ? 'line' : 'lines'}${unknown}${other}`);
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
