// The plan cache remembers a stored plan's last few placements: the same function text standing in
// several places (twin methods), asked for in turn, is relocated once per place, not once per ask.
import { describe, expect, it } from 'vitest';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import type { Plan } from '../../server/src/engine/plan.js';
import type { RelocatablePlan } from '../../server/src/cache/relocate.js';

const stored: RelocatablePlan = { ins: [{ p: [0, 0], t: '_tm.x()', r: 0, k: 'entry' }], src: 'py\n\ndef f(): pass' };
const planAt = (at: number) => ({ at }) as unknown as Plan;
const KEY = '0123456789abcdef';
const keyed = { head: 'py', body: 'def f(): pass' };
const provenance = { source: { kind: 'template' as const }, templateVersion: 'v', validations: ['reparse'] };

/** A memory-only cache holding `stored`. */
function holding(): PlanCache {
  const cache = new PlanCache({ log: () => {} });
  cache.put(KEY, 'python', stored, provenance);
  return cache;
}

describe('placing a stored plan', () => {
  it('relocates twin functions once each when they are asked for in turn', () => {
    const cache = holding();
    const relocations: number[] = [];
    const place = (at: number, name: string, path: string) => cache.lookup(KEY, keyed, [at, at, '    ', name, path, 1], () => (relocations.push(at), planAt(at)));
    for (let round = 0; round < 3; round++) {
      expect(place(10, 'A.f', 'a.py')).toEqual(planAt(10));
      expect(place(90, 'B.f', 'a.py')).toEqual(planAt(90));
      expect(place(10, 'A.f', 'b.py')).toEqual(planAt(10));
    }
    expect(relocations).toEqual([10, 90, 10]);
  });

  it('relocates again when any part of the place differs', () => {
    const cache = holding();
    let relocations = 0;
    const place = (base: string, line: number) => cache.lookup(KEY, keyed, [0, 0, base, 'f', 'a.py', line], () => (relocations++, planAt(0)));
    place('    ', 1);
    place('\t', 1);
    place('    ', 2);
    place('    ', 2);
    expect(relocations).toBe(3);
  });
});

describe('a function that moves', () => {
  it('keeps one placement, its newest: an edit above it does not pile up old ones', () => {
    const cache = holding();
    const relocations: number[] = [];
    const place = (at: number, line: number, name = 'f') => cache.lookup(KEY, keyed, [at, at, '', name, 'a.py', line], () => (relocations.push(at), planAt(at)));
    for (let edit = 0; edit < 40; edit++) place(100 + edit, 5 + edit);
    place(20, 1, 'g'); // a twin elsewhere in the file
    place(139, 44); // the moved function where it stands now: still remembered
    place(100, 5); // where it stood first: forgotten
    expect(relocations.slice(-2)).toEqual([20, 100]);
    expect(relocations).toHaveLength(42);
  });
});
