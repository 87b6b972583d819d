// Shared by the behaviour tests: instrument real code in bulk with the real engine into scratch
// folders, run the real toolchains on it with bounded parallelism, and print the counts the
// closing note of issue 3 quotes. Never writes outside its scratch folders: GOROOT, the standard
// library and node_modules are only read.
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId, ProbeKind } from '../../server/src/engine/types.js';

export { goSource, listFiles, pythonStdlib } from '../corpus/corpus.js';
export { cleanEnv, removeScratch, repoRoot, run, type RunResult } from '../runtime/helpers.js';

/** Two cores: every test file runs at most this many child processes at once. */
export const PARALLEL = 2;

export function log(line: string): void {
  console.log(`[behaviour] ${line}`);
}

export function scratchDir(label: string): string {
  return mkdtempSync(join(tmpdir(), `telemetry-behaviour-${label}-`));
}

export const seconds = (since: number) => ((performance.now() - since) / 1000).toFixed(1);

/** Runs `fn` over `items`, at most `limit` at a time, results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

export interface InstrumentJob {
  lang: LanguageId;
  /** Where the original is read. */
  source: string;
  /** Where the instrumented text is written (folders are created). */
  dest: string;
  /** Path recorded in events. */
  relPath: string;
  runtimeImport: string;
  esm?: boolean;
  /** Probe kinds to add (the engine's default: all). */
  kinds?: readonly ProbeKind[];
}

export interface InstrumentCounts {
  files: number;
  /** Files the engine changed. */
  changed: number;
  functions: number;
  /** Functions that can take a probe: neither skipped by a documented rule, ignored nor broken. */
  eligible: number;
  /** `file: function: reason` for every function the engine left alone after validation. */
  skipped: string[];
  /** Instrumented text per destination, for the tests that look at the probes. */
  texts: Map<string, string>;
}

/** Instruments every function of every file ("Add telemetry to all functions"), as the CLI's inject does. */
export async function instrumentAll(engine: Engine, jobs: readonly InstrumentJob[], keepTexts = false): Promise<InstrumentCounts> {
  const counts: InstrumentCounts = { files: 0, changed: 0, functions: 0, eligible: 0, skipped: [], texts: new Map() };
  for (const lang of new Set(jobs.map((j) => j.lang))) await engine.ready(lang);
  for (const job of jobs) {
    // The event loop turns between files: a whole corpus instrumented without a break can block the
    // test thread for minutes on a loaded machine, and vitest's calls to its main process then time
    // out ('Timeout calling onTaskUpdate'), which fails the run.
    await nextTurn();
    const text = readFileSync(job.source, 'utf8');
    const sites = engine.analyze(job.lang, text).functions;
    counts.eligible += sites.filter((f) => !f.instrumented && !f.ignored && !f.broken && !f.skip).length;
    const result = engine.add(job.lang, text, { relPath: job.relPath, runtimeImport: job.runtimeImport, esm: job.esm, kinds: job.kinds });
    counts.files++;
    if (result.text !== text) counts.changed++;
    counts.functions += result.added.length;
    // A function the templates failed on is reported for the LLM: here, skipped all the same.
    for (const s of [...result.skipped, ...result.needsLlm]) counts.skipped.push(`${job.relPath}: ${s.name}: ${s.reason}`);
    mkdirSync(dirname(job.dest), { recursive: true });
    writeFileSync(job.dest, result.text);
    if (keepTexts) counts.texts.set(job.dest, result.text);
  }
  return counts;
}

/** Writes the engine's runtime files for `lang` into `dir`, returning their paths. */
export function writeRuntimeInto(engine: Engine, lang: LanguageId, dir: string, rename: (fileName: string) => string = (f) => f): string[] {
  return engine.runtimeFiles(lang).map(({ fileName, content }) => {
    const path = join(dir, rename(fileName));
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, content);
    return path;
  });
}

/** `./x.cjs` or `../../x.cjs`: how `from` imports `to` with a relative specifier. */
export function relativeSpecifier(from: string, to: string): string {
  const rel = relative(dirname(from), to).split('\\').join('/');
  return rel.startsWith('.') ? rel : `./${rel}`;
}

/** Which probe kinds the engine put into a text, found by their runtime calls (server/languages/README.md). */
export function probeKindsIn(text: string): Set<'variable' | 'branch' | 'loop' | 'exception'> {
  const kinds = new Set<'variable' | 'branch' | 'loop' | 'exception'>();
  if (/_tm\.(var|Var|Redacted)\(/.test(text)) kinds.add('variable');
  if (/_tm\.(branch|Branch)\(/.test(text)) kinds.add('branch');
  if (/_tm\.(loop|Loop)\(/.test(text)) kinds.add('loop');
  if (/_tm\.(caught|fin|Caught)\(/.test(text)) kinds.add('exception');
  return kinds;
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}
