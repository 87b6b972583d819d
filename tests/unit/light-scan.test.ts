// The light scan (Engine.scan, the languages' scan.scm) must give exactly what a full analysis gives
// for coverage: the same functions in the same order, with the same names, ranges, states and
// lacking kinds, the same parse error count and import flag. Checked on real files sampled from
// Python's standard library, Go's source tree and the JS and TS in node_modules, so that it stays
// fast; the full-tier variant (light-scan-corpus.full.test.ts) walks every file.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { scanCorpora, scanAndAnalysis } from './light-scan-corpora.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
});

describe('the light scan', () => {
  it.each(scanCorpora(40))('finds what the full analysis finds on $label ($files.length sampled files)', async ({ lang, files }) => {
    expect(files.length).toBeGreaterThan(0);
    let functions = 0;
    let lacking = 0;
    for (const file of files) {
      const { scan, full } = await scanAndAnalysis(engine, lang, readFileSync(file, 'utf8'));
      expect({ file, ...scan }).toEqual({ file, ...full });
      functions += full.functions.length;
      lacking += full.functions.filter((f) => f.missing.length > 1).length;
    }
    // The sample holds functions, and functions lacking deep kinds, or the comparison proves little.
    expect(functions).toBeGreaterThan(100);
    expect(lacking).toBeGreaterThan(10);
  });

  it('tells an instrumented function, its covered deep sites and an ignored one apart, as analyze does', async () => {
    const text = [
      'def plain(x):',
      '    y = x + 1',
      '    return y',
      '',
      '# telemetry: ignore',
      'def quiet(x):',
      '    return x',
      '',
      'def branches(x):',
      '    if x:',
      '        return 1',
      '    return 2',
      '',
    ].join('\n');
    const lang: LanguageId = 'python';
    await engine.ready(lang);
    const added = engine.add(lang, text, { relPath: 'm.py', runtimeImport: 'telemetry_runtime', kinds: ['function', 'branch'] });
    for (const source of [text, added.text]) {
      const { scan, full } = await scanAndAnalysis(engine, lang, source);
      expect(scan).toEqual(full);
    }
    const { scan } = await scanAndAnalysis(engine, lang, added.text);
    expect(scan.functions.map((f) => [f.name, f.instrumented, f.ignored, f.missing])).toEqual([
      ['plain', true, false, ['variable']],
      ['quiet', false, true, ['function']],
      ['branches', true, false, []],
    ]);
  });
});
