// Plan cache keys are xxHash64, which is not collision-proof: an entry keeps the text its key hashes
// and a hit must match it. Here two different functions are made to share a key on purpose.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import type { RelocatablePlan } from '../../server/src/cache/relocate.js';

const provenance = { source: { kind: 'template' as const }, templateVersion: 'v', validations: ['reparse'] };
const plan = (src: string): RelocatablePlan => ({ ins: [{ p: [0, 0], t: '_tm.x()', r: 0, k: 'entry' }], src });
const KEY = '0123456789abcdef';

describe('a plan cache key shared by two texts', () => {
  it('serves the plan only to the text it was stored for, from memory', () => {
    const cache = new PlanCache({ log: () => {} });
    cache.put(KEY, 'python', plan('def f(): pass'), provenance);
    expect(cache.get(KEY, 'def f(): pass')?.src).toBe('def f(): pass');
    expect(cache.get(KEY, 'def g(): pass')).toBeUndefined();
    expect(cache.counters.misses).toBe(1);
  });

  it('serves the plan only to the text it was stored for, from disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'key-collision-'));
    const writer = new PlanCache({ dir, log: () => {} });
    writer.put(KEY, 'python', plan('def f(): pass'), provenance);
    await writer.flush();
    const reader = new PlanCache({ dir, log: () => {} });
    expect(reader.get(KEY, 'def g(): pass')).toBeUndefined();
    expect(reader.get(KEY, 'def f(): pass')?.src).toBe('def f(): pass');
    expect(reader.counters.diskHits).toBe(1);
  });
});
