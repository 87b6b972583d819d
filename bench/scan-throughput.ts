// Bench (a): scan throughput of the engine pool (read, parse, light scan, coverage per file) against
// raw web-tree-sitter parse-only throughput on the same files, with 1 worker and with all cores.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Engine } from '../server/src/engine/engine.js';
import type { LanguageId } from '../server/src/engine/types.js';
import { EnginePool } from '../server/src/pool/pool.js';

export interface Corpus {
  label: string;
  lang: LanguageId;
  files: string[];
}

export interface ScanThroughput {
  label: string;
  files: number;
  mb: number;
  functions: number;
  parseOnlyMBs: number;
  oneWorkerMBs: number;
  allCoresMBs: number;
  cores: number;
}

const names = { globs: 'exclude', maxFileSize: 'maxFileSize' };

/** Parse only, one thread, trees deleted at once: the floor the scan is measured against. */
function parseOnly(engine: Engine, corpus: Corpus, texts: string[]): number {
  const start = performance.now();
  for (const text of texts) engine.parse(corpus.lang, text).delete();
  return (performance.now() - start) / 1000;
}

async function scan(corpus: Corpus, threads: number): Promise<{ seconds: number; functions: number }> {
  // The whole corpus is queued at once, and a task's deadline counts its time in the queue: on a
  // loaded machine Go's tree outlasts the default minute.
  const pool = new EnginePool({ maxThreads: threads, minThreads: threads, taskTimeoutMs: 30 * 60_000 });
  try {
    // Warm every worker (grammar load, scan query compiled) before timing.
    await Promise.all(Array.from({ length: threads }, () => pool.run({ kind: 'scan', lang: corpus.lang, text: '' })));
    const start = performance.now();
    const results = await Promise.all(
      corpus.files.map((filePath) => pool.run({ kind: 'summarize', filePath, lang: corpus.lang, maxFileSize: 2 * 1024 * 1024, names })),
    );
    const seconds = (performance.now() - start) / 1000;
    const functions = results.reduce((n, r) => n + ('functions' in r ? r.functions.length : 0), 0);
    return { seconds, functions };
  } finally {
    await pool.destroy();
  }
}

export async function measureScanThroughput(engine: Engine, corpus: Corpus): Promise<ScanThroughput> {
  await engine.ready(corpus.lang);
  const texts = corpus.files.map((f) => readFileSync(f, 'utf8'));
  const mb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
  parseOnly(engine, corpus, texts.slice(0, 50));
  const parseSeconds = parseOnly(engine, corpus, texts);
  const one = await scan(corpus, 1);
  const cores = availableParallelism();
  const all = await scan(corpus, cores);
  return {
    label: corpus.label,
    files: corpus.files.length,
    mb,
    functions: one.functions,
    parseOnlyMBs: mb / parseSeconds,
    oneWorkerMBs: mb / one.seconds,
    allCoresMBs: mb / all.seconds,
    cores,
  };
}
