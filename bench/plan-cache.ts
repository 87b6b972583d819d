// Bench (c): planning one function from the templates (cold) against a memory hit in the plan
// cache (cached), side by side on the same functions of real Python files. A hit hashes the
// function's lines as they stand (xxHash64), finds the alias the filling pass left, checks the text
// it keeps and relocates the plan (or reuses the placement it made there before).
// Timed in CPU time of this thread's process, best of six passes over every function: on a
// shared machine wall time mostly measures the other processes.
import { readFileSync } from 'node:fs';
import { PlanCache } from '../server/src/cache/plan-cache.js';
import { SitePlanner } from '../server/src/cache/site-planner.js';
import type { Engine } from '../server/src/engine/engine.js';
import type { Site } from '../server/src/engine/sites.js';
import { languageById } from '../server/src/languages/registry.js';

export interface PlanCost {
  functions: number;
  coldUs: number;
  cachedUs: number;
  hitRate: number;
}

const PASSES = 6;

function cpuUs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const used = process.cpuUsage(start);
  return used.user + used.system;
}

export async function measurePlanCost(engine: Engine, files: string[]): Promise<PlanCost> {
  await engine.ready('python');
  const spec = languageById('python');
  const cache = new PlanCache({ log: () => {} });
  const items: { text: string; opts: { relPath: string; runtimeImport: string }; sites: Site[] }[] = [];
  for (const path of files) {
    const text = readFileSync(path, 'utf8');
    const opts = { relPath: path, runtimeImport: 'telemetry_runtime' };
    const sites = engine.analyze('python', text).functions.filter((f) => !f.skip && !f.broken && !f.instrumented);
    // Fill the cache as a validated add would.
    const filling = new SitePlanner(spec, text, opts, cache);
    filling.commit(sites.map((s) => filling.plan(s)));
    items.push({ text, opts, sites });
  }
  const functions = items.reduce((n, i) => n + i.sites.length, 0);
  let cold = Infinity;
  let cached = Infinity;
  let hits = 0;
  const coldPass = () => {
    cold = Math.min(cold, cpuUs(() => {
      for (const { text, opts, sites } of items) {
        const fresh = new SitePlanner(spec, text, opts);
        for (const site of sites) fresh.plan(site);
      }
    }));
  };
  const cachedPass = () => {
    let passHits = 0;
    cached = Math.min(cached, cpuUs(() => {
      for (const { text, opts, sites } of items) {
        const warm = new SitePlanner(spec, text, opts, cache);
        for (const site of sites) if (warm.plan(site).hit) passHits++;
      }
    }));
    hits = passHits;
  };
  // Each side goes first in turn: a pass also pays for collecting the garbage the pass before it
  // left (cold planning leaves the most), and the first pass of each compiles its code.
  for (let pass = 0; pass < PASSES; pass++) {
    if (pass % 2 === 0) { coldPass(); cachedPass(); } else { cachedPass(); coldPass(); }
  }
  return { functions, coldUs: cold / functions, cachedUs: cached / functions, hitRate: hits / functions };
}
