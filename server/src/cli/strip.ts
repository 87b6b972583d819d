// `telemetry-injector strip <paths…>`: removes the probes and the runtime import (engine.strip), in
// place or under --out. Probes edited by hand are left in place and reported; they make the exit
// code 1. The runtime module itself is left alone (other code may still use it).
// Must never write anything under --dry-run, nor a file whose text did not change.
import path from 'node:path';
import { defaultSettings } from '../../../protocol/settings.js';
import { byteSize, ExitCode, needPaths, noIgnoreFlag, noIgnoreOption, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';
import { eachSource, jobsFlag, jobsOption, parseJobs } from './jobs.js';
import { collectSources, message, outputPath, resolveRoot } from './sources.js';
import { writeChanges, type Change } from './write.js';

export const stripHelp = {
  usage: 'strip <paths…> [--dry-run] [--out DIR] [--root DIR] [--no-ignore] [--max-file-size N] [--jobs N]',
  summary: 'remove the probes and the runtime import; exit 1 when probes were edited by hand',
  flags: [
    ['--dry-run', 'print what would change and write nothing'],
    ['--out DIR', 'write changed files under DIR at their path relative to the root; originals stay as they are'],
    ['--root DIR', 'the project root (default: the current folder); a path outside it is its own root'],
    noIgnoreFlag,
    ['--max-file-size N', 'skip larger files, in bytes, or with k/m (default: 2m)'],
    jobsFlag,
  ],
} as const;

interface StripFlags {
  'dry-run'?: boolean;
  out?: string;
  root?: string;
  'max-file-size'?: string;
  'no-ignore'?: boolean;
  jobs?: string;
}

export async function strip(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<StripFlags>('strip', args, {
    'dry-run': { type: 'boolean' },
    out: { type: 'string' },
    root: { type: 'string' },
    'max-file-size': { type: 'string' },
    ...noIgnoreOption,
    ...jobsOption,
  });
  needPaths('strip', positionals);
  if (values.out === '') throw new UsageError('--out needs a folder');
  const maxFileSize = byteSize('--max-file-size', values['max-file-size']) ?? defaultSettings.maxFileSize;
  const root = resolveRoot(ctx.cwd, values.root);
  const out = values.out === undefined ? undefined : path.resolve(ctx.cwd, values.out);
  const jobs = parseJobs(values.jobs);
  const engine = await ctx.engine();
  const { reporter, stdout } = ctx;

  const files = await collectSources(positionals, engine, { cwd: ctx.cwd, root, noIgnore: values['no-ignore'] }, reporter);
  const changes: (Change & { removed: string[] })[] = [];
  let handEdited = 0;
  await eachSource(files, { jobs, maxFileSize, reporter }, {
    start: async (file, { text, bom }, pool) => {
      const result = await pool.run({ kind: 'strip', lang: file.lang, text });
      return { ...result, text: bom + result.text, changed: result.text !== text };
    },
    finish: (file, outcome) => {
      if (!outcome.ok) {
        reporter.error(`cannot strip ${file.display}: ${message(outcome.error)}`);
        return;
      }
      const result = outcome.value;
      for (const name of result.failed) {
        reporter.warn(`${file.display}: the probes in \`${name}\` were edited by hand and were left in place`);
        handEdited++;
      }
      if (result.changed) {
        changes.push({ display: file.display, dest: outputPath(file, out), text: result.text, removed: result.removed });
      }
    },
  });

  const dryRun = values['dry-run'] === true;
  if (dryRun) {
    for (const change of changes) stdout.write(`${change.display}: would remove telemetry from ${names(change.removed)}\n`);
  }
  const done = dryRun ? changes : writeChanges(changes, reporter);
  const functions = done.reduce((sum, change) => sum + change.removed.length, 0);
  stdout.write(
    `${done.length} ${done.length === 1 ? 'file' : 'files'} ${dryRun ? 'would change' : 'changed'}, ` +
      `${functions} ${functions === 1 ? 'function' : 'functions'} ${dryRun ? 'would be ' : ''}stripped, ` +
      `${handEdited} left in place (edited by hand)\n`,
  );
  if (reporter.errors > 0) return ExitCode.error;
  return handEdited > 0 ? ExitCode.findings : ExitCode.ok;
}

function names(removed: readonly string[]): string {
  return removed.length > 0 ? removed.join(', ') : 'the runtime import';
}
