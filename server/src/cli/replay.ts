// `telemetry-injector replay <events.jsonl…> --out DIR [--lang python|javascript|go] [--root DIR]`:
// writes characterization tests from captured calls (server/src/replay/) and prints what it wrote
// and how many calls it skipped, by reason.
// Must never run the code under test, and never write outside --out.
import fs from 'node:fs';
import path from 'node:path';
import { REPLAY_LANGUAGES, replay } from '../replay/replay.js';
import { otherVersionMessage } from '../trace/event-stream.js';
import { format, needPaths, parse, UsageError, ExitCode } from './args.js';
import type { CliContext } from './context.js';

export const replayHelp = {
  usage: 'replay <events.jsonl…> --out DIR [--lang python|javascript|go]… [--root DIR] [--format text|json]',
  summary: 'turn captured calls of pure-looking functions into characterization tests (pytest, node:test, Go table tests)',
  flags: [
    ['--out DIR', 'where the tests go (Go: the package folders below DIR, so --out . puts them in the packages)'],
    ['--lang LANG', 'only this language, repeatable (default: all three)'],
    ['--root DIR', 'where the events\' relative file paths resolve (default: the current folder)'],
    ['--format text|json', 'text (default) or json: counts by reason, files written'],
  ],
} as const;

export async function replayCommand(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<{ out?: string; lang?: string[]; root?: string; format?: string }>('replay', args, {
    out: { type: 'string' },
    lang: { type: 'string', multiple: true },
    root: { type: 'string' },
    format: { type: 'string' },
  });
  needPaths('replay', positionals, 'event file');
  const output = format('--format', values.format);
  if (!values.out) throw new UsageError('replay: --out DIR is required');
  const ids = REPLAY_LANGUAGES.map((l) => l.id);
  for (const lang of values.lang ?? []) {
    if (!ids.includes(lang as never)) throw new UsageError(`replay: --lang is one of ${ids.join(', ')}, not "${lang}"`);
  }
  const events = positionals.map((arg) => path.resolve(ctx.cwd, arg));
  for (const [i, file] of events.entries()) {
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) ctx.reporter.error(`no such event file: ${positionals[i]}`);
  }
  if (ctx.reporter.errors > 0) return ExitCode.error;
  const result = await replay({
    events,
    root: path.resolve(ctx.cwd, values.root ?? '.'),
    out: path.resolve(ctx.cwd, values.out),
    languages: values.lang as (typeof ids)[number][] | undefined,
  });
  const versions = otherVersionMessage(result.read, positionals.join(', '));
  if (versions) ctx.reporter.warn(versions);
  if (output === 'json') {
    ctx.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    return ExitCode.ok;
  }
  const skipped = Object.entries(result.skipped).sort((a, b) => b[1] - a[1]);
  const bad = result.read.malformed + result.read.unknownType + result.read.otherVersion;
  ctx.stdout.write(
    [
      `${result.calls} calls captured; ${result.cases} test cases for ${result.functions} functions in ${result.files.length} files` +
        (result.duplicates ? ` (${result.duplicates} identical calls merged)` : ''),
      ...result.files.map((f) => `  ${path.join(values.out!, f.path)}: ${f.functions} functions, ${f.cases} cases`),
      ...(skipped.length ? [`${skipped.reduce((s, [, n]) => s + n, 0)} calls skipped:`, ...skipped.map(([reason, n]) => `  ${n} ${reason}`)] : []),
      ...(bad ? [`${bad} event lines skipped (${result.read.malformed} malformed, ${result.read.unknownType} of unknown type, ${result.read.otherVersion} of another schema version)`] : []),
    ].join('\n') + '\n',
  );
  return ExitCode.ok;
}
