// `telemetry-injector cache stats|clear|verify [--cache-dir DIR] [--format text|json]`: shows,
// empties or checks the plan cache folder (default `.telemetry_cache` in the current folder).
// Results go to stdout, usage errors to stderr. `verify` removes entries that can never be used
// and exits 1 when it found any. Must never delete anything but the cache's own entries, and
// never create the folder.
import path from 'node:path';
import { DEFAULT_CACHE_FOLDER } from '../cache/plan-cache.js';
import { cacheStats, clearCache, verifyCache, type CacheStats, type VerifyReport } from '../cache/inspect.js';
import { ExitCode, format, parse, UsageError } from './args.js';
import type { Output } from './context.js';

export const cacheHelp = {
  usage: 'cache stats|clear|verify [--cache-dir DIR] [--format text|json]',
  summary: 'show, empty or check the insertion-plan cache',
  flags: [
    ['stats', 'entries, size, languages, sources (template or LLM model), validations, ages'],
    ['clear', 'remove every entry'],
    ['verify', 'read every entry; remove corrupt, orphaned and outdated ones; exit 1 when there were any'],
    ['--cache-dir DIR', `the cache folder (default: ${DEFAULT_CACHE_FOLDER} in the current folder)`],
    ['--format text|json', 'text (default) or json'],
  ],
} as const;

export interface CacheIo {
  cwd: string;
  stdout: Output;
  stderr: Output;
}

const defaultIo = (): CacheIo => ({ cwd: process.cwd(), stdout: process.stdout, stderr: process.stderr });

export async function runCache(args: string[], io: CacheIo = defaultIo()): Promise<number> {
  try {
    const { values, positionals } = parse<{ 'cache-dir'?: string; format?: string }>('cache', args, {
      'cache-dir': { type: 'string' },
      format: { type: 'string' },
    });
    const output = format('--format', values.format);
    const [action, ...rest] = positionals;
    if (rest.length > 0) throw new UsageError(`cache: unexpected argument: ${rest[0]}`);
    if (values['cache-dir'] === '') throw new UsageError('--cache-dir needs a folder');
    const dir = path.resolve(io.cwd, values['cache-dir'] ?? DEFAULT_CACHE_FOLDER);
    const print = (value: unknown, text: string[]) => io.stdout.write(output === 'json' ? `${JSON.stringify(value, null, 2)}\n` : `${text.join('\n')}\n`);
    switch (action) {
      case 'stats': {
        const stats = await cacheStats(dir);
        print(stats, statsText(stats));
        return ExitCode.ok;
      }
      case 'clear': {
        const removed = await clearCache(dir);
        print({ dir, removed }, [`removed ${removed} ${plural(removed, 'entry', 'entries')} from ${dir}`]);
        return ExitCode.ok;
      }
      case 'verify': {
        const report = await verifyCache(dir, true);
        print(report, verifyText(report));
        return problems(report) > 0 ? ExitCode.findings : ExitCode.ok;
      }
      default:
        throw new UsageError(action === undefined ? 'cache needs an action: stats, clear or verify' : `cache: unknown action: ${action}`);
    }
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.stderr.write(`telemetry-injector: ${error.message}\ntelemetry-injector: usage: telemetry-injector ${cacheHelp.usage}\n`);
    return ExitCode.error;
  }
}

function statsText(s: CacheStats): string[] {
  if (!s.exists) return [`no plan cache at ${s.dir}`];
  const llm = Object.entries(s.bySource).filter(([k]) => k.startsWith('llm ')).reduce((n, [, v]) => n + v, 0);
  const lines = [
    `plan cache: ${s.dir}`,
    `entries: ${s.entries} (${mebibytes(s.bytes)} on disk)`,
    `languages: ${list(s.byLanguage)}`,
    `sources: ${list(s.bySource)}${llm ? ` (${(s.llmAttempts / llm).toFixed(1)} attempts per LLM plan)` : ''}`,
    `validations: ${list(s.byValidations)}`,
  ];
  if (s.created) lines.push(`created: ${s.created.first} .. ${s.created.last}`);
  if (s.lastUsed) lines.push(`last used: ${s.lastUsed.first} .. ${s.lastUsed.last}`);
  if (s.outdated) lines.push(`outdated (made with older templates, never hit again): ${s.outdated}`);
  const loose = s.withoutIndex + s.orphanIndexes + s.temporaryFiles;
  if (loose) lines.push(`without index: ${s.withoutIndex}; orphan index files: ${s.orphanIndexes}; temporary files: ${s.temporaryFiles}`);
  return lines;
}

function verifyText(r: VerifyReport): string[] {
  const lines = [`checked ${r.checked} ${plural(r.checked, 'entry', 'entries')} in ${r.dir}`];
  const found: [string, number][] = [
    ['corrupt or truncated', r.corrupt.length],
    ['made with outdated templates', r.outdated.length],
    ['without index', r.withoutIndex.length],
    ['orphan index files', r.orphanIndexes.length],
    ['stale temporary files', r.staleTemporary],
  ];
  for (const [what, n] of found) if (n) lines.push(`${what}: ${n}`);
  lines.push(problems(r) ? `removed ${r.removed} ${plural(r.removed, 'file or entry', 'files and entries')}` : 'all entries are sound');
  return lines;
}

function problems(r: VerifyReport): number {
  return r.corrupt.length + r.outdated.length + r.withoutIndex.length + r.orphanIndexes.length + r.staleTemporary;
}

function list(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([, a], [, b]) => b - a);
  return entries.length ? entries.map(([k, v]) => `${k} ${v}`).join(', ') : '-';
}

function mebibytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

function plural(n: number, one: string, many: string): string {
  return n === 1 ? one : many;
}
