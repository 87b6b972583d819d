// Validation analyses an instrumented text for strip only (sites.ts, `strip` mode: probe statements,
// no deep placements). Strip must delete exactly what it deletes with the full analysis, or add()
// would accept or refuse other plans. Checked on real files sampled from each corpus on this machine,
// each instrumented with every kind first.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { analyzeTree } from '../../server/src/engine/sites.js';
import { stripChanges } from '../../server/src/engine/strip.js';
import { languageById } from '../../server/src/languages/registry.js';
import { Grammars } from '../../server/src/parse/grammars.js';
import { scanCorpora } from './light-scan-corpora.js';

let engine: Engine;
let grammars: Grammars;

beforeAll(async () => {
  engine = await Engine.create();
  grammars = await Grammars.create();
});

describe("validation's strip-only analysis", () => {
  it.each(scanCorpora(5))('strips what the full analysis strips on $label ($files.length sampled files)', async ({ lang, files }) => {
    expect(files.length).toBeGreaterThan(0);
    const spec = languageById(lang);
    await engine.ready(lang);
    await grammars.load(spec);
    let probes = 0;
    for (const file of files) {
      const original = readFileSync(file, 'utf8');
      const { text, added } = engine.add(lang, original, { relPath: 'f', runtimeImport: 'telemetry_runtime' });
      if (added.length === 0) continue;
      const tree = grammars.parse(spec, text);
      try {
        const full = analyzeTree(spec, grammars.sitesQuery(spec), tree, text);
        const light = analyzeTree(spec, grammars.sitesQuery(spec), tree, text, { strip: true });
        const all = () => true;
        const expected = stripChanges(spec, tree, full, text, all);
        expect({ file, ...stripChanges(spec, tree, light, text, all) }).toEqual({ file, ...expected });
        expect(light.errorCount).toBe(full.errorCount);
        probes += full.functions.reduce((n, f) => n + f.detail.probes.length, 0);
      } finally {
        tree.delete();
      }
    }
    // Deep probes were there to find (Java and Rust have none; they are not among the corpora).
    expect(probes).toBeGreaterThan(10);
  });
});
