// A cache hit must give exactly the plan that planning from scratch gives. Every function of the
// fixtures and of large standard-library modules is planned once into a cache, then looked up
// where it was and after the whole file moved one level deeper and a line lower (and, for
// Python, into a class, so its qualified name changes), and compared with a fresh plan there;
// then the other way round, planned deeper and looked up where it was.
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { SitePlanner } from '../../server/src/cache/site-planner.js';
import { Engine } from '../../server/src/engine/engine.js';
import { planFunction } from '../../server/src/engine/plan.js';
import type { Analysis, Site } from '../../server/src/engine/sites.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { languageById } from '../../server/src/languages/registry.js';
import { fixtureFiles, LANGUAGES, moveDeeper, options, stdlibFiles } from './helpers.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await Promise.all(LANGUAGES.map((l) => engine.ready(l)));
});

interface Tally {
  functions: number;
  stored: number;
  /** Stored plans that also hold the function's line or name elsewhere: they serve only those values. */
  pinned: number;
  hitsInPlace: number;
  hitsDeeper: number;
  hitsShallower: number;
  mismatches: string[];
}

const plannable = (s: Site) => !s.instrumented && !s.ignored && !s.broken && !s.skip;

/** Plans every function of `text` into a new cache, as the engine does after validation. */
function warm(lang: LanguageId, text: string, relPath: string, tally?: Tally): PlanCache {
  const cache = new PlanCache();
  const planner = new SitePlanner(languageById(lang), text, options(lang, relPath), cache);
  const results = (engine.analyze(lang, text) as Analysis).functions.filter(plannable).map((s) => planner.plan(s));
  planner.commit(results);
  if (tally) {
    tally.functions += results.length;
    tally.stored += results.filter((r) => r.pending).length;
    tally.pinned += results.filter((r) => r.pending?.plan.pinned).length;
  }
  return cache;
}

/** Looks every plannable function of `text` up in `cache` and compares each plan with a fresh one. */
function lookUp(cache: PlanCache, lang: LanguageId, text: string, relPath: string, where: string, tally: Tally): number {
  const spec = languageById(lang);
  const planner = new SitePlanner(spec, text, options(lang, relPath), cache);
  let hits = 0;
  for (const site of (engine.analyze(lang, text) as Analysis).functions.filter(plannable)) {
    const got = planner.plan(site);
    if (got.hit) hits++;
    if (!isDeepStrictEqual(got.plan, planFunction(spec, site, text, { relPath }))) tally.mismatches.push(`${where}: ${site.name} (line ${site.line})`);
  }
  return hits;
}

async function compareAll(files: string[]): Promise<Tally> {
  const tally: Tally = { functions: 0, stored: 0, pinned: 0, hitsInPlace: 0, hitsDeeper: 0, hitsShallower: 0, mismatches: [] };
  for (const file of files) {
    // A turn of the event loop per file: 21 s in one synchronous loop was measured at load 11, and
    // a test thread busy for a minute makes vitest's worker RPC time out ('Timeout calling onTaskUpdate').
    await nextTurn();
    const lang = engine.languageForPath(file)!;
    const text = readFileSync(file, 'utf8');
    const moved = moveDeeper(lang, text);
    const here = warm(lang, text, 'src/original.x', tally);
    tally.hitsInPlace += lookUp(here, lang, text, 'src/original.x', `${file} in place`, tally);
    tally.hitsDeeper += lookUp(here, lang, moved, 'lib/moved/elsewhere.x', `${file} moved deeper`, tally);
    tally.hitsShallower += lookUp(warm(lang, moved, 'lib/moved/elsewhere.x'), lang, text, 'src/original.x', `${file} moved back`, tally);
  }
  return tally;
}

describe('a cached plan', () => {
  it('is the plan the templates give, for every fixture function, in place and moved deeper or back', async () => {
    const tally = await compareAll(fixtureFiles(engine));
    expect(tally.mismatches).toEqual([]);
    expect(tally.functions).toBeGreaterThan(100);
    // Every plan is stored, found again in place, and found after either move unless pinned.
    expect(tally.stored).toBe(tally.functions);
    expect(tally.hitsInPlace).toBe(tally.stored);
    expect(tally.pinned).toBeLessThan(tally.stored / 20);
    expect(tally.hitsDeeper).toBeGreaterThanOrEqual(tally.stored - tally.pinned);
    expect(tally.hitsShallower).toBeGreaterThanOrEqual(tally.stored - tally.pinned);
  });

  it('is the plan the templates give, for every function of large standard-library modules', async () => {
    const tally = await compareAll(stdlibFiles());
    expect(tally.mismatches).toEqual([]);
    expect(tally.functions).toBeGreaterThan(1000);
    expect(tally.stored).toBe(tally.functions);
    expect(tally.hitsInPlace).toBe(tally.stored);
    // A deep probe's relative line can equal the function's line: that plan is pinned to it.
    expect(tally.pinned).toBeLessThan(tally.stored / 50);
    expect(tally.hitsDeeper).toBeGreaterThanOrEqual(tally.stored - tally.pinned);
    expect(tally.hitsShallower).toBeGreaterThanOrEqual(tally.stored - tally.pinned);
  }, 120_000);
});
