// Owns command-line parsing for every subcommand (node:util parseArgs, strict) and the meaning of
// exit codes. A usage error is thrown as UsageError and becomes exit code 2 in main.ts.
// Must never print: callers decide where messages go.
import { parseArgs, type ParseArgsConfig } from 'node:util';

export const ExitCode = {
  ok: 0,
  /** check: a function lacks telemetry or coverage is below the floor; strip: hand-edited probes. */
  findings: 1,
  /** Usage errors, bad paths, unreadable files, a runtime module that cannot be provided. */
  error: 2,
} as const;

export class UsageError extends Error {
  /** Whether to point at --help: not for a bad path, where usage is not the problem. */
  constructor(
    message: string,
    readonly hint = true,
  ) {
    super(message);
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export interface Parsed<T> {
  values: T;
  positionals: string[];
}

/** Strict parseArgs whose failures are UsageErrors naming the subcommand. */
export function parse<T>(command: string, args: readonly string[], options: Options): Parsed<T> {
  try {
    const { values, positionals } = parseArgs({ args: [...args], options, allowPositionals: true, strict: true });
    return { values: values as T, positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** A percentage from 0 to 100, e.g. `80` or `92.5`. */
export function percent(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value.replace(/%$/, ''));
  if (value.trim() === '' || !Number.isFinite(number) || number < 0 || number > 100) {
    throw new UsageError(`${flag} wants a percentage from 0 to 100, not "${value}"`);
  }
  return number;
}

/** A byte count, with an optional k/m suffix (binary units): `2097152`, `512k`, `2m`. */
export function byteSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const match = /^(\d+)([kKmM]?)[bB]?$/.exec(value.trim());
  if (!match) throw new UsageError(`${flag} wants a size in bytes (e.g. 2097152, 512k, 2m), not "${value}"`);
  const unit = { '': 1, k: 1024, m: 1024 * 1024 }[match[2]!.toLowerCase() as '' | 'k' | 'm'];
  return Number(match[1]) * unit;
}

export function format(flag: string, value: string | undefined): 'text' | 'json' {
  if (value === undefined || value === 'text' || value === 'json') return value ?? 'text';
  throw new UsageError(`${flag} is text or json, not "${value}"`);
}

/** --no-ignore, for parseArgs: check, inject and strip walk folders as the language server does. */
export const noIgnoreOption = { 'no-ignore': { type: 'boolean' } } as const;

export const noIgnoreFlag = [
  '--no-ignore',
  'walk folders without reading .gitignore files and .git/info/exclude (named files are always taken)',
] as const;

export function needPaths(command: string, positionals: readonly string[], what = 'path'): void {
  if (positionals.length === 0) throw new UsageError(`${command} needs at least one ${what}`);
}
