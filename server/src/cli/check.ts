// `telemetry-injector check <paths…>`: analyses every supported file and reports the functions that
// lack the telemetry their team file requires (./team.ts), as `path:line:col:` lines with a summary,
// or as JSON; exits 1 on a finding or when coverage is below --min-coverage, 2 on a bad team file.
// Must never write files: check is read-only.
import { defaultSettings } from '../../../protocol/settings.js';
import { lackMessage } from '../config/coverage-rule.js';
import { byteSize, ExitCode, format, needPaths, noIgnoreFlag, noIgnoreOption, parse, percent } from './args.js';
import type { CliContext } from './context.js';
import { fileReport, reportState, roundDown, totals, type FileReport, type Totals } from './coverage.js';
import { eachSource, jobsFlag, jobsOption, parseJobs } from './jobs.js';
import { collectSources, message, resolveRoot } from './sources.js';
import { configFlag, configOption, teamRequirements } from './team.js';

export const checkHelp = {
  usage: 'check <paths…> [--format text|json] [--min-coverage <pct>] [--config FILE] [--root DIR] [--no-ignore] [--max-file-size N] [--jobs N]',
  summary: 'report functions that lack the telemetry the team file requires, and the coverage; exit 1 on a finding',
  flags: [
    ['--format text|json', 'text: one `path:line:col:` line per function and a summary (default); json: every function, with the kinds it lacks'],
    ['--min-coverage <pct>', 'exit 1 only when coverage is below this percentage, not on every finding'],
    configFlag,
    ['--root DIR', 'the project root that exclude globs are relative to (default: the current folder)'],
    noIgnoreFlag,
    ['--max-file-size N', 'skip larger files, in bytes, or with k/m (default: 2m)'],
    jobsFlag,
  ],
} as const;

interface CheckFlags {
  format?: string;
  config?: string;
  'min-coverage'?: string;
  root?: string;
  'max-file-size'?: string;
  'no-ignore'?: boolean;
  jobs?: string;
}

export async function check(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<CheckFlags>('check', args, {
    format: { type: 'string' },
    'min-coverage': { type: 'string' },
    root: { type: 'string' },
    'max-file-size': { type: 'string' },
    ...noIgnoreOption,
    ...configOption,
    ...jobsOption,
  });
  needPaths('check', positionals);
  const output = format('--format', values.format);
  const minCoverage = percent('--min-coverage', values['min-coverage']);
  const maxFileSize = byteSize('--max-file-size', values['max-file-size']) ?? defaultSettings.maxFileSize;
  const root = resolveRoot(ctx.cwd, values.root);
  const jobs = parseJobs(values.jobs);
  const engine = await ctx.engine();
  const { reporter } = ctx;

  const files = await collectSources(positionals, engine, { cwd: ctx.cwd, root, noIgnore: values['no-ignore'] }, reporter);
  const required = await teamRequirements(files, values.config, ctx.cwd, reporter);
  if (!required) return ExitCode.error;
  const reports: FileReport[] = [];
  await eachSource(files, { jobs, maxFileSize, reporter }, {
    start: async (file, { text }, pool) => {
      const { functions } = await pool.run({ kind: 'analyze', lang: file.lang, text });
      const { requirements, teamFile } = required.get(file)!;
      return fileReport(file.display, file.lang, text, functions, requirements, teamFile);
    },
    finish: (file, report) => {
      if (report.ok) reports.push(report.value);
      else reporter.error(`cannot analyse ${file.display}: ${message(report.error)}`);
    },
  });

  const total = totals(reports);
  ctx.stdout.write(output === 'json' ? asJson(reports, total) : asText(reports, total));
  if (reporter.errors > 0) return ExitCode.error;
  if (minCoverage !== undefined) {
    if (total.coverage >= minCoverage) return ExitCode.ok;
    reporter.note(`coverage ${percentText(total.coverage)} is below --min-coverage ${minCoverage}%`);
    return ExitCode.findings;
  }
  return total.missing > 0 ? ExitCode.findings : ExitCode.ok;
}

function asText(reports: readonly FileReport[], total: Totals): string {
  const lines: string[] = [];
  for (const report of reports) {
    for (const f of report.functions) {
      if (reportState(f) === 'missing') {
        lines.push(`${report.path}:${f.line}:${f.column}: missing-telemetry ${lackMessage(f.name, f.missing)}`);
      }
    }
  }
  const left = [total.skipped && `${total.skipped} skipped`, total.broken && `${total.broken} broken`].filter(Boolean);
  const notCounted = left.length > 0 ? ` (${left.join(', ')}: not counted)` : '';
  lines.push(
    `${total.functions} functions, ${total.instrumented} instrumented, ${total.ignored} ignored, ` +
      `${percentText(total.coverage)} coverage${notCounted}`,
  );
  return `${lines.join('\n')}\n`;
}

function asJson(reports: readonly FileReport[], total: Totals): string {
  const files = reports.map((report) => ({ ...report, coverage: roundDown(report.coverage, 2) }));
  return `${JSON.stringify({ files, total: { ...total, coverage: roundDown(total.coverage, 2) } }, null, 2)}\n`;
}

function percentText(coverage: number): string {
  return `${roundDown(coverage, 1).toFixed(1)}%`;
}
