// Owns `check`'s baseline file: the functions that lacked telemetry when it was written, keyed by
// function id (never by line, so edits above a function keep it listed), each with the kinds it
// lacked. Reads it strictly (a corrupt or foreign file is a UsageError naming the file and the
// reason: exit 2), marks the findings it lists, and writes a new one.
// Must never decide the exit code or print: check.ts does.
import fs from 'node:fs';
import { PROBE_KINDS, type ProbeKind } from '../engine/types.js';
import { UsageError } from './args.js';
import { reportState, type FileReport } from './coverage.js';

/** The key that marks a telemetry-injector baseline, and its format version. */
const FORMAT_KEY = 'telemetry-injector-baseline';
const FORMAT_VERSION = 1;

/** function id -> the kinds it lacked. */
export type Baseline = ReadonlyMap<string, readonly ProbeKind[]>;

export function readBaseline(file: string, shown: string): Baseline {
  const bad = (reason: string) => new UsageError(`baseline ${shown}: ${reason}`, false);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw bad(code === 'ENOENT' ? 'no such file (write one with --write-baseline)' : `cannot be read (${code ?? String(error)})`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw bad(`is not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data) || !(FORMAT_KEY in data)) {
    throw bad(`is not a telemetry-injector baseline (it has no "${FORMAT_KEY}" key)`);
  }
  const record = data as Record<string, unknown>;
  if (record[FORMAT_KEY] !== FORMAT_VERSION) {
    throw bad(`has format ${JSON.stringify(record[FORMAT_KEY])}; this version reads format ${FORMAT_VERSION}`);
  }
  const functions = record.functions;
  if (typeof functions !== 'object' || functions === null || Array.isArray(functions)) {
    throw bad('"functions" must be an object of function ids');
  }
  const baseline = new Map<string, ProbeKind[]>();
  for (const [id, kinds] of Object.entries(functions)) {
    const known = (kind: unknown): kind is ProbeKind => (PROBE_KINDS as readonly unknown[]).includes(kind);
    if (!Array.isArray(kinds) || !kinds.every(known)) {
      throw bad(`"functions"["${id}"] must be a list of probe kinds (${PROBE_KINDS.join(', ')})`);
    }
    baseline.set(id, kinds);
  }
  return baseline;
}

/** Marks each function lacking telemetry that the baseline lists with every kind it lacks now; the unmarked count. */
export function applyBaseline(reports: FileReport[], baseline: Baseline): number {
  let fresh = 0;
  for (const report of reports) {
    for (const f of report.functions) {
      if (reportState(f) !== 'missing') continue;
      const known = baseline.get(f.id);
      if (known && f.missing.every((kind) => known.includes(kind))) f.baselined = true;
      else fresh++;
    }
  }
  return fresh;
}

/** Writes every function lacking telemetry, sorted by id; returns how many. */
export function writeBaseline(file: string, reports: readonly FileReport[]): number {
  const entries: [string, ProbeKind[]][] = [];
  for (const report of reports) {
    for (const f of report.functions) if (reportState(f) === 'missing') entries.push([f.id, f.missing]);
  }
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const data = { [FORMAT_KEY]: FORMAT_VERSION, functions: Object.fromEntries(entries) };
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(temp, file);
  return entries.length;
}
