// Span helpers shared by render and strip.
import type { Span } from './types.js';

/** A test for "strictly inside one of `spans`", in O(log n) per query. */
export function insideAny(spans: readonly Span[]): (offset: number) => boolean {
  const merged: Span[] = [];
  for (const s of [...spans].sort((a, b) => a.start - b.start)) {
    const last = merged.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  return (offset) => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid].start < offset) lo = mid + 1;
      else hi = mid - 1;
    }
    const s = merged[hi];
    return s !== undefined && s.start < offset && offset < s.end;
  };
}
