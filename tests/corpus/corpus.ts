// Walks the real corpora on this machine (Python's standard library, Go's source tree, the
// JS/TS in node_modules) and checks the engine's properties on every file.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import type { DeepKind } from '../../server/src/engine/deep.js';

export interface CorpusCounts {
  files: number;
  bytes: number;
  functions: number;
  instrumented: number;
  skipped: number;
  /** Functions inside files with parse errors or broken functions: never touched. */
  broken: number;
  /** Functions in files with parse errors that got entry and exit but not every deep probe. */
  fallback: number;
  /** Deep probe sites covered after add, per kind. */
  deep: Record<DeepKind, number>;
  failures: string[];
  /** [original, instrumented copy] for every file written, when checkFiles was given `copyOf`. */
  copies: [string, string][];
}

const MAX_BYTES = 2 * 1024 * 1024;

export function pythonStdlib(): string {
  return execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
}

export function goSource(): string | undefined {
  try {
    return join(execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim(), 'src');
  } catch {
    return undefined;
  }
}

/** Every file under `root` whose name passes `keep`, following symlinked folders, skipping `skipDirs`. */
export function listFiles(root: string, keep: (name: string) => boolean, skipDirs: (name: string) => boolean): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      const st = statSync(path, { throwIfNoEntry: false });
      if (!st) continue;
      if (st.isDirectory()) {
        if (!skipDirs(name)) walk(path);
      } else if (st.isFile() && keep(name) && st.size <= MAX_BYTES) out.push(path);
    }
  };
  walk(root);
  return out;
}

const OPTIONS: Record<LanguageId, string> = {
  python: 'telemetry_runtime',
  javascript: './telemetry-runtime.cjs',
  typescript: './telemetry-runtime.cjs',
  tsx: './telemetry-runtime.cjs',
  go: 'example.com/corpus/telemetry',
  java: '',
  rust: '',
};

/**
 * add, then strip and add again: round trip, idempotence and no new parse errors. With `copyOf`,
 * each file's instrumented text is also written there, so that the compilers check the very output
 * these properties were checked on (the corpus is instrumented once).
 */
export async function checkFiles(engine: Engine, files: string[], copyOf?: (file: string) => string): Promise<CorpusCounts> {
  const counts: CorpusCounts = {
    files: 0, bytes: 0, functions: 0, instrumented: 0, skipped: 0, broken: 0, fallback: 0,
    deep: { variable: 0, branch: 0, loop: 0, exception: 0 }, failures: [], copies: [],
  };
  for (const path of files) {
    // A turn of the event loop per file: a whole corpus checked in one synchronous loop blocks the
    // test thread for minutes, and vitest's calls to its main process then time out ('Timeout
    // calling onTaskUpdate'), which fails the run.
    await nextTurn();
    const lang = engine.languageForPath(path);
    if (!lang) continue;
    const text = readFileSync(path, 'utf8');
    if (text.includes('\0')) continue;
    counts.files++;
    counts.bytes += Buffer.byteLength(text);
    const opts = { relPath: path, runtimeImport: OPTIONS[lang] };
    const before = engine.analyze(lang, text);
    const eligible = before.functions.filter((f) => !f.instrumented && !f.ignored);
    counts.functions += before.functions.length;
    counts.broken += eligible.filter((f) => f.broken).length;
    counts.skipped += eligible.filter((f) => !f.broken && f.skip).length;
    const added = engine.add(lang, text, opts);
    counts.instrumented += added.added.length;
    if (copyOf) {
      const copy = copyOf(path);
      mkdirSync(dirname(copy), { recursive: true });
      writeFileSync(copy, added.text);
      counts.copies.push([path, copy]);
    }
    // A function the templates failed on is reported for the LLM: here, a failure all the same.
    for (const s of [...added.skipped, ...added.needsLlm]) counts.failures.push(`${path}: ${s.name}: ${s.reason}`);
    const after = engine.analyze(lang, added.text);
    if (after.errorCount > before.errorCount) counts.failures.push(`${path}: new parse errors`);
    for (const f of after.functions) {
      for (const site of f.detail.deep) if (site.covered) counts.deep[site.kind]++;
      // Every function that could be instrumented now has every kind it has sites for. In a file
      // that already held parse errors, error recovery may shift around a probe: such a function
      // falls back to entry and exit, and is counted apart.
      if (f.broken || f.skip || f.ignored || !f.missing.length) continue;
      if (before.errorCount > 0 && !f.missing.includes('function')) counts.fallback++;
      else counts.failures.push(`${path}: ${f.name} still lacks ${f.missing.join(', ')}`);
    }
    if (engine.strip(lang, added.text).text !== text) counts.failures.push(`${path}: strip(add(f)) != f`);
    if (engine.add(lang, added.text, opts).text !== added.text) counts.failures.push(`${path}: add(add(f)) != add(f)`);
  }
  return counts;
}
