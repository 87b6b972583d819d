// Owns reading and writing the runtimes' control file (protocol/control.ts describes its shape) for
// the CLI's `trace` and the editor's "Trace `name`" commands: where it is, which entries are live,
// which entry a function matches (the runtimes' rule: exact ids first, then globs, then "*"), and
// an atomic write (temp file + rename, so a runtime polling it never reads half a file).
// Must never keep expired entries when it writes, nor touch entries it was not asked about.
import fs from 'node:fs';
import path from 'node:path';
import { DefaultControlPath, type ControlEntry, type ControlFile } from '../../../protocol/control.js';

export class MalformedControlFile extends Error {}

/** The control file: TELEMETRY_CONTROL (relative to `base`), else .telemetry/control.json in `runtimeDir`. */
export function controlFilePath(base: string, runtimeDir = base, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.TELEMETRY_CONTROL;
  return fromEnv ? path.resolve(base, fromEnv) : path.resolve(runtimeDir, DefaultControlPath);
}

/** The file's entries ({} when it does not exist); throws MalformedControlFile when it is not a JSON object. */
export function readControlFile(file: string): ControlFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    const data = JSON.parse(text) as unknown;
    if (data !== null && typeof data === 'object' && !Array.isArray(data)) return data as ControlFile;
  } catch {}
  throw new MalformedControlFile(`${file} is not a JSON object`);
}

export function writeControlFile(file: string, entries: ControlFile): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(entries, null, 2)}\n`);
  fs.renameSync(temp, file);
}

/** When the entry stops applying, in ms since the epoch (Infinity: never, NaN: unreadable and so never live). */
export function expiry(entry: ControlEntry): number {
  return entry.expires_at === undefined ? Infinity : Date.parse(entry.expires_at);
}

/** The entries that still apply at `now`. */
export function liveEntries(entries: ControlFile, now = Date.now()): ControlFile {
  return Object.fromEntries(Object.entries(entries).filter(([, entry]) => expiry(entry) > now));
}

/** `entries` with `key` switched on for `ms` from `now`, expired entries dropped. */
export function switchedOn(entries: ControlFile, key: string, ms: number, extra: Omit<ControlEntry, 'enabled' | 'expires_at'> = {}, now = Date.now()): ControlFile {
  const expires_at = new Date(now + ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { ...liveEntries(entries, now), [key]: { enabled: true, expires_at, ...extra } };
}

/** `entries` without `key` (every key when undefined), expired entries dropped. */
export function switchedOff(entries: ControlFile, key: string | undefined, now = Date.now()): ControlFile {
  if (key === undefined) return {};
  const live = liveEntries(entries, now);
  delete live[key];
  return live;
}

/** The entry (and its key) that applies to a function, as the runtimes choose it: exact ids, then globs, then "*". */
export function entryFor(entries: ControlFile, file: string, name: string): { key: string; entry: ControlEntry } | undefined {
  const id = `${file}:${name}`;
  const keys = Object.keys(entries);
  const subject = (key: string) => (key.includes(':') ? id : name);
  const isGlob = (key: string) => key !== '*' && /[*?]/.test(key);
  const exact = keys.find((key) => key !== '*' && !isGlob(key) && subject(key) === key);
  const glob = exact ?? keys.find((key) => isGlob(key) && globPattern(key).test(subject(key)));
  const key = glob ?? (keys.includes('*') ? '*' : undefined);
  return key === undefined ? undefined : { key, entry: entries[key]! };
}

function globPattern(glob: string): RegExp {
  const body = [...glob].map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[\\^$.|+()[\]{}]/g, '\\$&'))).join('');
  return new RegExp(`^${body}$`, 's');
}
