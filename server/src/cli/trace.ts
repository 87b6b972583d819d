// `telemetry-injector trace <function-id|glob> --for 10m` and `trace --off [<function-id|glob>]`:
// switches functions on (or off) in the runtimes' control file (TELEMETRY_CONTROL, default
// .telemetry/control.json), with an expiry, and lists what is switched on now. The running
// programs notice the change within a second. Writes the file atomically (temp file + rename).
// Must never touch entries it was not asked about, nor keep expired ones.
import fs from 'node:fs';
import path from 'node:path';
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

interface Entry {
  enabled: boolean;
  expires_at?: string;
  max_events_per_sec?: number;
  capture_args?: boolean;
}

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
  const file = path.resolve(ctx.cwd, values.control ?? (process.env.TELEMETRY_CONTROL || path.join('.telemetry', 'control.json')));
  const now = Date.now();
  const entries = read(file);
  // Expired entries are off already; leaving them would only confuse the listing.
  for (const [id, entry] of Object.entries(entries)) {
    if (entry.expires_at !== undefined && Date.parse(entry.expires_at) <= now) delete entries[id];
  }
  const id = positionals[0];
  if (values.off) {
    if (id === undefined) for (const key of Object.keys(entries)) delete entries[key];
    else delete entries[id];
    write(file, entries);
    ctx.stdout.write(id === undefined ? 'every function switched off\n' : `${id} switched off\n`);
    return ExitCode.ok;
  }
  if (id === undefined) {
    const on = Object.entries(entries).filter(([, e]) => e.enabled);
    if (on.length === 0) ctx.stdout.write('no function is switched on\n');
    for (const [key, e] of on) {
      const left = e.expires_at === undefined ? 'until switched off' : `${Math.ceil((Date.parse(e.expires_at) - now) / 60_000)} min left`;
      ctx.stdout.write(`${key}  ${left}\n`);
    }
    return ExitCode.ok;
  }
  const ms = duration(values.for ?? '10m');
  const entry: Entry = { enabled: true, expires_at: new Date(now + ms).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  const rate = values['max-events-per-sec'];
  if (rate !== undefined) {
    if (!/^\d+$/.test(rate)) throw new UsageError(`trace: --max-events-per-sec wants a count, not "${rate}"`);
    entry.max_events_per_sec = Number(rate);
  }
  if (values['no-args']) entry.capture_args = false;
  entries[id] = entry;
  write(file, entries);
  ctx.stdout.write(`${id} switched on until ${entry.expires_at} (${path.relative(ctx.cwd, file) || file})\n`);
  return ExitCode.ok;
}

function read(file: string): Record<string, Entry> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as Record<string, Entry>;
  } catch {}
  throw new UsageError(`trace: ${file} is not a JSON object; fix or remove it first`, false);
}

function write(file: string, entries: Record<string, Entry>): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(entries, null, 2)}\n`);
  fs.renameSync(temp, file);
}
