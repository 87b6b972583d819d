// `telemetry-injector trace <function-id|glob> --for 10m` and `trace --off [<function-id|glob>]`:
// switches functions on (or off) in the runtimes' control file (TELEMETRY_CONTROL, default
// .telemetry/control.json), with an expiry, and lists what is switched on now. The running
// programs notice the change within a second. Writes the file atomically (temp file + rename).
// Must never touch entries it was not asked about, nor keep expired ones.
import path from 'node:path';
import { DefaultTraceMs, type ControlEntry } from '../../../protocol/control.js';
import {
  controlFilePath,
  liveEntries,
  MalformedControlFile,
  readControlFile,
  switchedOff,
  switchedOn,
  writeControlFile,
} from '../workspace/control-file.js';
import { ExitCode, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

export const traceHelp = {
  usage: 'trace [<function-id|glob>] [--for DURATION] [--off] [--max-events-per-sec N] [--no-args] [--control FILE]',
  summary: 'switch functions on for a while in running programs (the runtimes\' control file); no id lists them',
  flags: [
    ['--for DURATION', 'how long, e.g. 90s, 10m, 2h (default 10m)'],
    ['--off', 'switch the function (or, without an id, every function) off again'],
    ['--max-events-per-sec N', 'the function\'s call limit while switched on'],
    ['--no-args', 'do not record its arguments'],
    ['--control FILE', 'the control file (default TELEMETRY_CONTROL, else .telemetry/control.json)'],
  ],
} as const;

/** "90s", "10m", "2h", "1d" in milliseconds. */
export function duration(text: string): number {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(text.trim());
  if (!match) throw new UsageError(`trace: --for wants a duration such as 90s, 10m or 2h, not "${text}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] as 'ms' | 's' | 'm' | 'h' | 'd'];
  return Number(match[1]) * unit;
}

export async function trace(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<{ for?: string; off?: boolean; 'max-events-per-sec'?: string; 'no-args'?: boolean; control?: string }>(
    'trace',
    args,
    {
      for: { type: 'string' },
      off: { type: 'boolean' },
      'max-events-per-sec': { type: 'string' },
      'no-args': { type: 'boolean' },
      control: { type: 'string' },
    },
  );
  if (positionals.length > 1) throw new UsageError('trace: one function id or glob at a time');
  const file = values.control !== undefined ? path.resolve(ctx.cwd, values.control) : controlFilePath(ctx.cwd);
  const now = Date.now();
  const entries = read(file);
  const id = positionals[0];
  if (values.off) {
    writeControlFile(file, switchedOff(entries, id, now));
    ctx.stdout.write(id === undefined ? 'every function switched off\n' : `${id} switched off\n`);
    return ExitCode.ok;
  }
  if (id === undefined) {
    // Expired entries are off already; listing them would only confuse.
    const on = Object.entries(liveEntries(entries, now)).filter(([, e]) => e.enabled);
    if (on.length === 0) ctx.stdout.write('no function is switched on\n');
    for (const [key, e] of on) {
      const left = e.expires_at === undefined ? 'until switched off' : `${Math.ceil((Date.parse(e.expires_at) - now) / 60_000)} min left`;
      ctx.stdout.write(`${key}  ${left}\n`);
    }
    return ExitCode.ok;
  }
  const ms = values.for === undefined ? DefaultTraceMs : duration(values.for);
  const extra: Omit<ControlEntry, 'enabled' | 'expires_at'> = {};
  const rate = values['max-events-per-sec'];
  if (rate !== undefined) {
    if (!/^\d+$/.test(rate)) throw new UsageError(`trace: --max-events-per-sec wants a count, not "${rate}"`);
    extra.max_events_per_sec = Number(rate);
  }
  if (values['no-args']) extra.capture_args = false;
  const next = switchedOn(entries, id, ms, extra, now);
  writeControlFile(file, next);
  ctx.stdout.write(`${id} switched on until ${next[id]!.expires_at} (${path.relative(ctx.cwd, file) || file})\n`);
  return ExitCode.ok;
}

function read(file: string) {
  try {
    return readControlFile(file);
  } catch (error) {
    if (error instanceof MalformedControlFile) throw new UsageError(`trace: ${error.message}; fix or remove it first`, false);
    throw error;
  }
}
