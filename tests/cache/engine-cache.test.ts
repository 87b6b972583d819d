// The engine with a plan cache: engine.add gives exactly what it gives without one, cold or warm,
// in place or after the code moved, and only plans from files that passed validation are stored.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { Engine } from '../../server/src/engine/engine.js';
import { fixtureFiles, LANGUAGES, moveDeeper, options, removeTempDirs, tempDir } from './helpers.js';

let plain: Engine;

beforeAll(async () => {
  plain = await Engine.create();
  await Promise.all(LANGUAGES.map((l) => plain.ready(l)));
});

async function cachedEngine(cache: PlanCache): Promise<Engine> {
  const engine = await Engine.create({ cache });
  await Promise.all(LANGUAGES.map((l) => engine.ready(l)));
  return engine;
}

afterAll(removeTempDirs);

describe('engine.add with a plan cache', () => {
  it('gives what it gives without a cache for every fixture, cold, warm and after the code moved', async () => {
    const dir = tempDir();
    const cache = new PlanCache({ dir });
    const engine = await cachedEngine(cache);
    let added = 0;
    for (const file of fixtureFiles(plain)) {
      const lang = plain.languageForPath(file)!;
      const text = readFileSync(file, 'utf8');
      const expected = plain.add(lang, text, options(lang, 'src/f'));
      expect(engine.add(lang, text, options(lang, 'src/f')), `${file} cold`).toEqual(expected);
      expect(engine.add(lang, text, options(lang, 'src/f')), `${file} warm`).toEqual(expected);
      added += expected.added.length;
    }
    expect(cache.counters.memoryHits).toBe(added);
    await cache.flush();

    // A new process (a new cache on the same folder) with every file moved: all served from disk.
    const next = new PlanCache({ dir });
    const moved = await cachedEngine(next);
    for (const file of fixtureFiles(plain)) {
      const lang = plain.languageForPath(file)!;
      const text = moveDeeper(lang, readFileSync(file, 'utf8'));
      expect(moved.add(lang, text, options(lang, 'lib/g')), `${file} moved`).toEqual(plain.add(lang, text, options(lang, 'lib/g')));
    }
    expect(next.counters).toMatchObject({ diskHits: added, misses: 0 });
  });

  it('stores the plans of functions that passed validation and not the one that failed', async () => {
    // `f` already calls the runtime by hand: strip would remove that call, so validation drops `f`.
    const text = 'def f(x):\n    return _tm.ret(__tel, (x))\n\n\ndef g(y):\n    return y\n';
    const cache = new PlanCache();
    const engine = await cachedEngine(cache);
    const first = engine.add('python', text, options('python', 'a.py'));
    expect(first.added).toEqual(['g']);
    // Not dropped: reported for the LLM layer to repair.
    expect(first.skipped).toEqual([]);
    expect(first.needsLlm).toMatchObject([{ name: 'f', reason: 'strip would not restore the original' }]);
    engine.add('python', text, options('python', 'a.py'));
    // The second add finds g's plan and plans f from scratch again.
    expect(cache.counters).toMatchObject({ memoryHits: 1, misses: 3 });
  });

  it('leaves a cache untouched when add is asked for no function', async () => {
    const cache = new PlanCache();
    const engine = await cachedEngine(cache);
    const text = 'def g(y):\n    return y\n';
    expect(engine.add('python', text, options('python', 'a.py'), () => false).changes).toEqual([]);
    engine.add('python', text, options('python', 'a.py'));
    expect(cache.counters).toMatchObject({ memoryHits: 0, misses: 1 });
  });
});
