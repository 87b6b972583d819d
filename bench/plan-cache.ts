// Bench (c): planning one function from the templates (cold) against a memory hit in the plan
// cache (cached), side by side on the same functions of real Python files.
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
    const fresh = new SitePlanner(spec, text, opts);
    let start = performance.now();
    for (const site of sites) fresh.plan(site);
    cold += performance.now() - start;
    // Fill the cache as a validated add would, then plan again through it.
    const filling = new SitePlanner(spec, text, opts, cache);
    filling.commit(sites.map((s) => filling.plan(s)));
    const warm = new SitePlanner(spec, text, opts, cache);
    start = performance.now();
    for (const site of sites) if (warm.plan(site).hit) hits++;
    cached += performance.now() - start;
    functions += sites.length;
  }
  return { functions, coldUs: (cold * 1000) / functions, cachedUs: (cached * 1000) / functions, hitRate: hits / functions };
}
