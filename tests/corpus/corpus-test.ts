// Shared body of the corpus tests: one engine, one corpus, counts printed for the closing note;
// optionally the instrumented copies written out for the compilers.
import { expect } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { checkFiles, type CorpusCounts } from './corpus.js';

export async function runCorpus(label: string, files: string[], languages: LanguageId[], copyOf?: (file: string) => string): Promise<CorpusCounts> {
  const engine = await Engine.create();
  for (const lang of languages) await engine.ready(lang);
  const started = performance.now();
  const counts = await checkFiles(engine, files, copyOf);
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const mb = (counts.bytes / 1e6).toFixed(1);
  console.log(
    `[corpus] ${label}: ${counts.files} files, ${mb} MB, ${counts.functions} functions, ` +
      `${counts.instrumented} instrumented, ${counts.skipped} skipped by rule, ${counts.broken} in broken code, ` +
      `${counts.fallback} without deep probes in files with parse errors, ` +
      `${counts.failures.length} failures (${seconds} s); deep sites probed: ` +
      Object.entries(counts.deep).map(([k, n]) => `${n} ${k}`).join(', '),
  );
  for (const failure of counts.failures.slice(0, 20)) console.log(`[corpus] ${failure}`);
  expect(counts.files).toBeGreaterThan(0);
  expect(counts.failures).toEqual([]);
  return counts;
}
