// Plan cache keys are xxHash64, which is not collision-proof: an entry keeps the text its key hashes
// and a hit must match it. Here two different functions are made to share a key on purpose.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import type { RelocatablePlan } from '../../server/src/cache/relocate.js';

const provenance = { source: { kind: 'template' as const }, templateVersion: 'v', validations: ['reparse'] };
const KEY = '0123456789abcdef';
// What PlanCache.get is given: the keyed text in its two parts (cache-key.ts).
const keyed = (src: string) => ({ head: src.slice(0, 4), body: src.slice(6) });
const plan = (src: string): RelocatablePlan => ({ ins: [{ p: [0, 0], t: '_tm.x()', r: 0, k: 'entry' }], src });
const F = 'py 1\n\ndef f(): pass';
const G = 'py 1\n\ndef g(): pass';

describe('a plan cache key shared by two texts', () => {
  it('serves the plan only to the text it was stored for, from memory', () => {
    const cache = new PlanCache({ log: () => {} });
    cache.put(KEY, 'python', plan(F), provenance);
    expect(cache.get(KEY, keyed(F))?.src).toBe(F);
    expect(cache.get(KEY, keyed(G))).toBeUndefined();
    expect(cache.counters.misses).toBe(1);
  });

  it('serves the plan only to the text it was stored for, from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-collision-'));
    const writer = new PlanCache({ dir, log: () => {} });
    writer.put(KEY, 'python', plan(F), provenance);
    await writer.flush();
    const reader = new PlanCache({ dir, log: () => {} });
    expect(reader.get(KEY, keyed(G))).toBeUndefined();
    expect(reader.get(KEY, keyed(F))?.src).toBe(F);
    expect(reader.counters.diskHits).toBe(1);
  });
});
