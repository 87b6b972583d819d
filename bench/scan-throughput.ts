// Bench (a): scan throughput of the engine pool (read, parse, light scan, coverage per file) against
// raw web-tree-sitter parse-only throughput on the same files, with 1 worker and with all cores.
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Query } from 'web-tree-sitter';
import { Engine } from '../server/src/engine/engine.js';
import type { LanguageId } from '../server/src/engine/types.js';
import { languageById } from '../server/src/languages/registry.js';
import { querySource } from '../server/src/parse/grammars.js';
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
  /** Where one thread's scan time goes, as throughput over parse-only's on the same files (stages()). */
  stages: { queryRatio: number; scanRatio: number };
}

const names = { globs: 'exclude', maxFileSize: 'maxFileSize' };

/** Parse only, one thread, trees deleted at once: the floor the scan is measured against. */
function parseOnly(engine: Engine, corpus: Corpus, texts: string[]): number {
  const start = performance.now();
  for (const text of texts) engine.parse(corpus.lang, text).delete();
  return (performance.now() - start) / 1000;
}

/**
 * What bounds the scan, in one thread on every 4th file, stage by stage in turn on each chunk of
 * files so that a change in load hits all alike: parse-only; parse and the scan query's matches
 * (no analysis); the whole light scan (Engine.scan). Each as parse-only time over its time.
 */
function stages(engine: Engine, corpus: Corpus, texts: string[]): ScanThroughput['stages'] {
  const spec = languageById(corpus.lang);
  const probe = engine.parse(corpus.lang, '');
  const query = new Query(probe.language, querySource(spec, spec.scanQueries));
  probe.delete();
  const sample = texts.filter((_, i) => i % 4 === 0);
  const run: ((text: string) => void)[] = [
    (text) => engine.parse(corpus.lang, text).delete(),
    (text) => {
      const tree = engine.parse(corpus.lang, text);
      query.matches(tree.rootNode);
      tree.delete();
    },
    (text) => engine.scan(corpus.lang, text),
  ];
  // Warm: the JIT, the compiled queries.
  for (const text of sample.slice(0, 20)) for (const stage of run) stage(text);
  const seconds = [0, 0, 0];
  for (let i = 0; i < sample.length; i += 20) {
    const chunk = sample.slice(i, i + 20);
    run.forEach((stage, k) => {
      const start = performance.now();
      for (const text of chunk) stage(text);
      seconds[k] += performance.now() - start;
    });
  }
  query.delete();
  return { queryRatio: seconds[0] / seconds[1], scanRatio: seconds[0] / seconds[2] };
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
  const split = stages(engine, corpus, texts);
  return {
    label: corpus.label,
    files: corpus.files.length,
    mb,
    functions: one.functions,
    parseOnlyMBs: mb / parseSeconds,
    oneWorkerMBs: mb / one.seconds,
    allCoresMBs: mb / all.seconds,
    cores,
    stages: split,
  };
}
