// Blame: which planned functions to drop when the instrumented text holds a new parse error.
// An error inside a planned function is that function's; an error outside every one of them (error
// recovery in a file that already has a syntax error moves it anywhere) is found by bisection over
// the planned functions, so that one bad insertion never costs the others theirs.
// Plain data in, plain data out: the caller says how to test a subset; never parses by itself.
import type { PlannedFunction } from './render.js';

/**
 * The innermost planned function holding each offset, and whether some offset lies outside every one.
 */
export function locate<P extends PlannedFunction>(planned: P[], offsets: number[]): { held: P[]; stray: boolean } {
  const held = new Set<P>();
  let stray = false;
  for (const o of offsets) {
    let best: P | undefined;
    for (const p of planned) {
      if (p.range.start <= o && o <= p.range.end && (!best || p.range.end - p.range.start < best.range.end - best.range.start)) best = p;
    }
    if (best) held.add(best);
    else stray = true;
  }
  return { held: [...held], stray };
}

/**
 * The members of `suspects` whose insertions make `fails` true, by adaptive group testing: a half
 * that passes is cleared with one test, a single failing member is a culprit. When two halves pass
 * alone but fail together, the group is blamed whole. `fails(suspects)` is assumed true and not asked;
 * about 2·k·log2(n) tests find k culprits among n.
 */
export function bisect<P>(suspects: P[], fails: (subset: P[]) => boolean): P[] {
  const search = (group: P[], known: boolean): P[] => {
    if (!group.length || (!known && !fails(group))) return [];
    if (group.length === 1) return group;
    const middle = group.length >> 1;
    const left = search(group.slice(0, middle), false);
    // When the left half passes, the right one must fail on its own or the two interact.
    const right = search(group.slice(middle), false);
    return left.length || right.length ? [...left, ...right] : group;
  };
  return search(suspects, true);
}
