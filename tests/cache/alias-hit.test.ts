// Plan cache aliases: a function asked for again exactly as it stands is found by the key of its
// lines as they are, without its normalised block and key; any change to that text, or an entry
// that left memory, sends it back to its key, and every plan is the one the templates give.
import { beforeAll, describe, expect, it } from 'vitest';
import { AliasIndex } from '../../server/src/cache/alias-index.js';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { SitePlanner } from '../../server/src/cache/site-planner.js';
import { Engine } from '../../server/src/engine/engine.js';
import { planFunction } from '../../server/src/engine/plan.js';
import type { Site } from '../../server/src/engine/sites.js';
import { languageById } from '../../server/src/languages/registry.js';

const spec = languageById('python');
const opts = { relPath: 'a.py', runtimeImport: 'telemetry_runtime' };
let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('python');
});

function siteOf(text: string, name: string): Site {
  const site = engine.analyze('python', text).functions.find((f) => f.name === name);
  if (!site) throw new Error(`no function ${name}`);
  return site;
}

/** Plans `name` in `text` through `cache`, storing the plan as a validated add would. */
function plan(cache: PlanCache, text: string, name: string) {
  const planner = new SitePlanner(spec, text, opts, cache);
  const site = siteOf(text, name);
  const result = planner.plan(site);
  planner.commit([result]);
  expect(result.plan, `${name} as the templates plan it`).toEqual(planFunction(spec, site, text, { relPath: opts.relPath }));
  return result;
}

const TEXT = 'import os\n\n\nclass A:\n    def area(self, w, h):\n        if w < 0:\n            return 0\n        return w * h\n';

describe('a function asked for again', () => {
  it('is found by its alias while its text stands unchanged, and keeps being found after an edit above it', () => {
    const cache = new PlanCache({ log: () => {} });
    expect(plan(cache, TEXT, 'A.area').hit).toBeUndefined();
    expect(plan(cache, TEXT, 'A.area').hit).toBe(true);
    expect(plan(cache, `# a new first line\n${TEXT}`, 'A.area').hit).toBe(true);
    expect(cache.counters).toMatchObject({ memoryHits: 2, aliasHits: 2, misses: 1 });
  });

  it('is not found by its old alias once one character of its text changed, in place and at the same length', () => {
    const cache = new PlanCache({ log: () => {} });
    plan(cache, TEXT, 'A.area');
    const changed = TEXT.replace('return 0', 'return 1');
    expect(changed.length).toBe(TEXT.length);
    expect(plan(cache, changed, 'A.area').hit).toBeUndefined();
    expect(cache.counters).toMatchObject({ memoryHits: 0, aliasHits: 0, misses: 2 });
    // The changed text has an alias of its own from then on.
    expect(plan(cache, changed, 'A.area').hit).toBe(true);
    expect(cache.counters.aliasHits).toBe(1);
  });

  it('is found by its key, not its alias, after it was re-indented, with the plan for where it stands now', () => {
    const cache = new PlanCache({ log: () => {} });
    plan(cache, TEXT, 'A.area');
    const deeper = TEXT.replace(/^(?= )/gm, '    ');
    expect(plan(cache, deeper, 'A.area').hit).toBe(true);
    expect(cache.counters).toMatchObject({ memoryHits: 1, aliasHits: 0 });
    expect(plan(cache, deeper, 'A.area').hit).toBe(true);
    expect(cache.counters).toMatchObject({ memoryHits: 2, aliasHits: 1 });
  });

  it('is not led by its alias to an entry the cache has since dropped from memory', () => {
    const cache = new PlanCache({ maxMemoryEntries: 1, log: () => {} });
    const text = `${TEXT}\n\ndef other(x):\n    return x\n`;
    plan(cache, text, 'A.area');
    plan(cache, text, 'other');
    expect(plan(cache, text, 'A.area').hit).toBeUndefined();
    expect(cache.counters).toMatchObject({ aliasHits: 0, misses: 3 });
  });
});

describe('an alias key shared by two texts', () => {
  it('leads only from the text it was set for', () => {
    const aliases = new AliasIndex<object>(10);
    const entry = {};
    aliases.set({ key: 'k', head: 'h', body: 'def f(): pass' }, 'key', entry);
    expect(aliases.find({ key: 'k', head: 'h', body: 'def f(): pass' })?.entry).toBe(entry);
    expect(aliases.find({ key: 'k', head: 'h', body: 'def g(): pass' })).toBeUndefined();
    expect(aliases.find({ key: 'k', head: 'H', body: 'def f(): pass' })).toBeUndefined();
  });
});
