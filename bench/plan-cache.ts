// Bench (c): planning one function from the templates (cold) against a memory hit in the plan
// cache (cached), side by side on the same functions of real Python files. A hit hashes the
// function (xxHash64), checks the stored text and relocates the plan (or reuses its last placement).
import { readFileSync } from 'node:fs';
import { PlanCache } from '../server/src/cache/plan-cache.js';
import { SitePlanner } from '../server/src/cache/site-planner.js';
import type { Engine } from '../server/src/engine/engine.js';
import { languageById } from '../server/src/languages/registry.js';

export interface PlanCost {
  functions: number;
  coldUs: number;
  cachedUs: number;
  hitRate: number;
}

export async function measurePlanCost(engine: Engine, files: string[]): Promise<PlanCost> {
  await engine.ready('python');
  const spec = languageById('python');
  const cache = new PlanCache({ log: () => {} });
  let cold = 0;
  let cached = 0;
  let functions = 0;
  let hits = 0;
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const opts = { relPath: path, runtimeImport: 'telemetry_runtime' };
    const sites = engine.analyze('python', text).functions.filter((f) => !f.skip && !f.broken && !f.instrumented);
    // Fill the cache as a validated add would, then plan again through it.
    const filling = new SitePlanner(spec, text, opts, cache);
    filling.commit(sites.map((s) => filling.plan(s)));
    // Side by side, best of three each: the machine is shared, and a pause lands in one pass only.
    let coldBest = Infinity;
    let cachedBest = Infinity;
    for (let pass = 0; pass < 3; pass++) {
      const fresh = new SitePlanner(spec, text, opts);
      let start = performance.now();
      for (const site of sites) fresh.plan(site);
      coldBest = Math.min(coldBest, performance.now() - start);
      const warm = new SitePlanner(spec, text, opts, cache);
      let passHits = 0;
      start = performance.now();
      for (const site of sites) if (warm.plan(site).hit) passHits++;
      cachedBest = Math.min(cachedBest, performance.now() - start);
      if (pass === 0) hits += passHits;
    }
    cold += coldBest;
    cached += cachedBest;
    functions += sites.length;
  }
  return { functions, coldUs: (cold * 1000) / functions, cachedUs: (cached * 1000) / functions, hitRate: hits / functions };
}
