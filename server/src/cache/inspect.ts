// Whole-folder views of a plan cache for `telemetry-injector cache`: statistics from the index
// files, and a verification that reads every entry, removes what can never be used (corrupt or
// truncated files, orphans, dead writers' temporary files, plans made with outdated templates)
// and reports it. Owns no format (entry-file.ts does) and never touches anything outside <dir>/v1/.
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { languages } from '../languages/registry.js';
import { templateVersion } from './cache-key.js';
import { DiskStore } from './disk-store.js';
import { parseIndexFile, parsePlanFile, type IndexEntry } from './entry-file.js';

export interface CacheStats {
  dir: string;
  exists: boolean;
  entries: number;
  /** Bytes on disk of the entries' files. */
  bytes: number;
  byLanguage: Record<string, number>;
  /** `template`, or `llm <model>`. */
  bySource: Record<string, number>;
  /** Attempts over LLM entries, to average. */
  llmAttempts: number;
  /** Validation lists joined with `+`, e.g. `relocation+reparse+strip-roundtrip`. */
  byValidations: Record<string, number>;
  /** Entries made with templates that have changed since: they can no longer be hit. */
  outdated: number;
  /** Plans without a readable index (being written, or left by a writer that died). */
  withoutIndex: number;
  orphanIndexes: number;
  temporaryFiles: number;
  created?: { first: string; last: string };
  lastUsed?: { first: string; last: string };
}

export interface VerifyReport {
  dir: string;
  checked: number;
  corrupt: string[];
  outdated: string[];
  withoutIndex: string[];
  orphanIndexes: string[];
  staleTemporary: number;
  /** Entries and files removed. */
  removed: number;
}

/** Plans without index and temporary files younger than this may belong to a running writer. */
const GRACE_MS = 10 * 60_000;
const READERS = 16;

export async function cacheStats(dir: string): Promise<CacheStats> {
  const store = new DiskStore(dir);
  const scan = await store.scan();
  const current = currentVersions();
  const stats: CacheStats = {
    dir, exists: existsSync(dir), entries: scan.entries.length, bytes: 0, byLanguage: {}, bySource: {}, llmAttempts: 0,
    byValidations: {}, outdated: 0, withoutIndex: 0, orphanIndexes: scan.orphanIndexes.length, temporaryFiles: scan.temporary.length,
  };
  const created: number[] = [];
  const used: number[] = [];
  await each(scan.entries, async (e) => {
    stats.bytes += e.bytes;
    used.push(e.lastUsed);
    const index = await store.readIndex(e.key);
    if (!index) {
      stats.withoutIndex++;
      return;
    }
    count(stats.byLanguage, index.lang);
    count(stats.bySource, sourceName(index));
    if (index.source.kind === 'llm') stats.llmAttempts += index.source.attempts;
    count(stats.byValidations, index.validations.join('+') || '(none)');
    if (current.get(index.lang) !== index.templateVersion) stats.outdated++;
    created.push(Date.parse(index.created));
  });
  if (created.length) stats.created = span(created);
  if (used.length) stats.lastUsed = span(used);
  return stats;
}

/** Checks every entry; with `repair`, removes the ones that can never be used. */
export async function verifyCache(dir: string, repair: boolean, now = Date.now()): Promise<VerifyReport> {
  const store = new DiskStore(dir);
  const scan = await store.scan(now);
  const current = currentVersions();
  const report: VerifyReport = { dir, checked: 0, corrupt: [], outdated: [], withoutIndex: [], orphanIndexes: scan.orphanIndexes, staleTemporary: 0, removed: 0 };
  const doomed: string[] = [];
  await each(scan.entries, async (e) => {
    report.checked++;
    const text = await store.readPlanText(e.key);
    const plan = text === undefined ? undefined : parsePlanFile(text, e.key);
    const index = await store.readIndex(e.key);
    if (!plan) report.corrupt.push(e.key);
    else if (!index && now - e.lastUsed > GRACE_MS) report.withoutIndex.push(e.key);
    else if (index && (index.lang !== plan.lang || current.get(index.lang) !== index.templateVersion)) report.outdated.push(e.key);
    else return;
    doomed.push(e.key);
  });
  const stale = scan.temporary.filter((t) => t.age > GRACE_MS);
  report.staleTemporary = stale.length;
  if (repair) {
    for (const key of doomed) await store.remove(key);
    for (const key of scan.orphanIndexes) await rm(store.indexPath(key), { force: true });
    for (const t of stale) await rm(t.path, { force: true });
    report.removed = doomed.length + scan.orphanIndexes.length + stale.length;
  }
  return report;
}

/** Removes every entry; resolves to how many there were. */
export async function clearCache(dir: string): Promise<number> {
  const store = new DiskStore(dir);
  const { entries } = await store.scan();
  await store.clear();
  return entries.length;
}

function currentVersions(): Map<string, string> {
  return new Map(languages.map((spec) => [spec.id, templateVersion(spec)]));
}

function sourceName(index: IndexEntry): string {
  return index.source.kind === 'llm' ? `llm ${index.source.model}` : index.source.kind;
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}

function span(times: number[]): { first: string; last: string } {
  let first = Infinity;
  let last = -Infinity;
  for (const t of times) {
    if (t < first) first = t;
    if (t > last) last = t;
  }
  return { first: new Date(first).toISOString(), last: new Date(last).toISOString() };
}

/** Runs `fn` over `items` with a bounded number in flight (a cache can hold many thousand files). */
async function each<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(READERS, items.length) }, worker));
}
