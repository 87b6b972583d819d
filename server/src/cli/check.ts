// `telemetry-injector check <paths…>`: analyses every supported file and reports the functions that
// lack the telemetry their team file requires (./team.ts), as text, JSON, SARIF or a GitLab code
// quality report (./check-output.ts). The gate: exit 1 on a function lacking telemetry (with
// --baseline: one the baseline does not list) or, with --min-coverage, only when coverage is below
// it; --changed-since narrows both to the functions the working tree changed since a git ref.
// Exit 2 on a bad team file, baseline, ref or path.
// Must never write files, except the baseline that --write-baseline names.
import path from 'node:path';
import { defaultSettings } from '../../../protocol/settings.js';
import { percentText } from '../config/coverage-rule.js';
import { byteSize, ExitCode, needPaths, noIgnoreFlag, noIgnoreOption, parse, percent } from './args.js';
import { applyBaseline, readBaseline, writeBaseline } from './baseline.js';
import { ChangedFunctions } from './changed-functions.js';
import { checkFormat, checkFormats, render } from './check-output.js';
import type { CliContext } from './context.js';
import { fileReport, totals, withCounts, type FileReport } from './coverage.js';
import { diffSince } from './git-diff.js';
import { eachSource, jobsFlag, jobsOption, parseJobs } from './jobs.js';
import { collectSources, message, resolveRoot, type SourceFile } from './sources.js';
import { configFlag, configOption, teamRequirements } from './team.js';

export const checkHelp = {
  usage:
    'check <paths…> [--format text|json|sarif|gitlab] [--min-coverage <pct>] [--changed-since <ref>] [--baseline FILE] ' +
    '[--write-baseline FILE] [--config FILE] [--root DIR] [--no-ignore] [--max-file-size N] [--jobs N]',
  summary: 'report functions that lack the telemetry the team file requires, and the coverage; exit 1 on a finding',
  flags: [
    [`--format ${checkFormats.join('|')}`, 'text: `path:line:col:` lines and a summary (default); json: every function; sarif: SARIF 2.1.0; gitlab: a code quality report'],
    ['--min-coverage <pct>', 'exit 1 only when coverage is below this percentage, not on every finding'],
    ['--changed-since <ref>', 'only the functions whose lines the working tree changed since this git ref (moved functions do not count)'],
    ['--baseline FILE', 'fail only on functions lacking telemetry that this baseline does not list'],
    ['--write-baseline FILE', 'record every function lacking telemetry now in FILE (by function id), and exit 0'],
    configFlag,
    ['--root DIR', 'the project root: exclude globs, function ids and SARIF/GitLab paths are relative to it (default: the current folder)'],
    noIgnoreFlag,
    ['--max-file-size N', 'skip larger files, in bytes, or with k/m (default: 2m)'],
    jobsFlag,
  ],
} as const;

interface CheckFlags {
  format?: string;
  config?: string;
  'min-coverage'?: string;
  'changed-since'?: string;
  baseline?: string;
  'write-baseline'?: string;
  root?: string;
  'max-file-size'?: string;
  'no-ignore'?: boolean;
  jobs?: string;
}

export async function check(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<CheckFlags>('check', args, {
    format: { type: 'string' },
    'min-coverage': { type: 'string' },
    'changed-since': { type: 'string' },
    baseline: { type: 'string' },
    'write-baseline': { type: 'string' },
    root: { type: 'string' },
    'max-file-size': { type: 'string' },
    ...noIgnoreOption,
    ...configOption,
    ...jobsOption,
  });
  needPaths('check', positionals);
  const format = checkFormat(values.format);
  const minCoverage = percent('--min-coverage', values['min-coverage']);
  const maxFileSize = byteSize('--max-file-size', values['max-file-size']) ?? defaultSettings.maxFileSize;
  const root = resolveRoot(ctx.cwd, values.root);
  const jobs = parseJobs(values.jobs);
  // Bad input stops the run before any source is read.
  const baseline = values.baseline === undefined ? undefined : readBaseline(path.resolve(ctx.cwd, values.baseline), values.baseline);
  const changedSince = values['changed-since'];
  const diff = changedSince === undefined ? undefined : diffSince(root, changedSince);
  const engine = await ctx.engine();
  const { reporter } = ctx;

  let files = await collectSources(positionals, engine, { cwd: ctx.cwd, root, noIgnore: values['no-ignore'] }, reporter);
  const changes = diff && (await ChangedFunctions.of(diff, engine));
  if (changes) files = files.filter((file) => changes.touches(file));
  const required = await teamRequirements(files, values.config, ctx.cwd, reporter);
  if (!required) return ExitCode.error;
  const reports: { file: SourceFile; report: FileReport }[] = [];
  await eachSource(files, { jobs, maxFileSize, reporter, engine: ctx.engine }, {
    start: async (file, { text }, pool) => {
      const { functions } = await pool.run({ kind: 'scan', lang: file.lang, text });
      const { requirements, teamFile } = required.get(file)!;
      const report = fileReport(file, file.lang, text, functions, requirements, teamFile);
      if (!changes) return report;
      const changed = changes.changed(file, text, functions);
      return withCounts({ ...report, functions: report.functions.filter((_, i) => changed[i]) });
    },
    finish: (file, report) => {
      if (!report.ok) reporter.error(`cannot analyse ${file.display}: ${message(report.error)}`);
      else if (!changes || report.value.functions.length > 0) reports.push({ file, report: report.value });
    },
  });

  const total = totals(reports.map(({ report }) => report));
  const fresh = baseline && applyBaseline(reports.map(({ report }) => report), baseline);
  ctx.stdout.write(
    render(format, {
      reports,
      total,
      root,
      ...(changedSince !== undefined && { changedSince }),
      ...(fresh !== undefined && { baseline: { file: values.baseline!, new: fresh } }),
    }),
  );
  if (reporter.errors > 0) return ExitCode.error;
  if (values['write-baseline'] !== undefined) {
    const count = writeBaseline(path.resolve(ctx.cwd, values['write-baseline']), reports.map(({ report }) => report));
    reporter.note(`wrote ${count} functions lacking telemetry to the baseline ${values['write-baseline']}`);
    return ExitCode.ok;
  }
  if (minCoverage !== undefined) {
    if (total.coverage >= minCoverage) return ExitCode.ok;
    reporter.note(`coverage ${percentText(total.coverage)} is below --min-coverage ${minCoverage}%`);
    return ExitCode.findings;
  }
  return (fresh ?? total.missing) > 0 ? ExitCode.findings : ExitCode.ok;
}
