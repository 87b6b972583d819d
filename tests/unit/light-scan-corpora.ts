// Real files for the light scan's tests: every n-th file of each corpus on this machine, and the
// comparison both tests make (coverage fields only: the scan leaves params and planning detail out).
import { existsSync } from 'node:fs';
import type { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { goSource, listFiles, pythonStdlib } from '../corpus/corpus.js';

export interface ScanCorpus {
  label: string;
  lang: LanguageId;
  files: string[];
}

/** Each corpus, at most `limit` files spread evenly over it (all of them when `limit` is Infinity). */
export function scanCorpora(limit: number): ScanCorpus[] {
  const go = goSource();
  const corpora: ScanCorpus[] = [
    { label: 'python stdlib', lang: 'python', files: listFiles(pythonStdlib(), (n) => n.endsWith('.py'), (d) => d === 'site-packages') },
    { label: 'go source', lang: 'go', files: go && existsSync(go) ? listFiles(go, (n) => n.endsWith('.go'), () => false) : [] },
    { label: 'node_modules js', lang: 'javascript', files: listFiles('node_modules', (n) => /\.(m|c)?js$/.test(n), () => false) },
    { label: 'node_modules ts', lang: 'typescript', files: listFiles('node_modules', (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'), () => false) },
  ];
  return corpora.map((c) => ({ ...c, files: spread(c.files, limit) }));
}

function spread(files: string[], limit: number): string[] {
  if (files.length <= limit) return files;
  const step = files.length / limit;
  return Array.from({ length: limit }, (_, i) => files[Math.floor(i * step)]!);
}

/** What coverage reads of a file, from the light scan and from the full analysis. */
export async function scanAndAnalysis(engine: Engine, lang: LanguageId, text: string) {
  await engine.ready(lang);
  const pick = (a: ReturnType<Engine['scan']>) => ({
    errorCount: a.errorCount,
    hasImport: a.hasImport,
    functions: a.functions.map(({ detail: _detail, params: _params, ...site }) => site),
  });
  return { scan: pick(engine.scan(lang, text)), full: pick(engine.analyze(lang, text)) };
}
