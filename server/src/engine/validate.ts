// Validate: renders planned functions, reparses, and checks that the result adds no parse error
// and strips back to the original byte for byte. On failure it names the functions to blame,
// so the caller can drop them and try again: the function holding a new error, or, for an error
// outside every planned function, the ones bisection finds (blame.ts).
import type { Node, Tree } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import { applyChanges, render, type Piece, type PlannedFunction } from './render.js';
import { bisect, locate } from './blame.js';
import { countErrors } from './errors.js';
import type { Analysis } from './sites.js';
import { stripChanges } from './strip.js';
import type { TextChange } from './types.js';

export interface ValidationHost {
  parse(text: string): Tree;
  /** The parse of `next`, which `changes` make of the original text: incremental when it can be. */
  reparse?(next: string, changes: TextChange[]): Tree;
  analyze(tree: Tree, text: string): Analysis;
}

export type Validation<P> =
  | { ok: true; changes: TextChange[]; text: string }
  | { ok: false; reason: string; blame: P[] };

export function validate<P extends PlannedFunction & { name: string; whole?: boolean }>(
  spec: LanguageSpec,
  host: ValidationHost,
  text: string,
  analysis: Analysis,
  planned: P[],
  extra: Piece[],
  /** What stripping the planned functions must give back: the original, unless some were instrumented. */
  expected: string = text,
): Validation<P> {
  const changes = render(text, planned, extra, analysis.strings);
  const next = applyChanges(text, changes);
  const tree = host.reparse ? host.reparse(next, changes) : host.parse(next);
  try {
    const after = host.analyze(tree, next);
    if (after.errorCount > analysis.errorCount) {
      const offsets = errorStarts(tree.rootNode).map((o) => toOriginal(o, changes));
      return { ok: false, reason: 'instrumented text would not parse', blame: parseBlame(host, text, analysis, planned, extra, offsets) };
    }
    const starts = shiftedStarts(planned, changes);
    // A whole-function plan (an adopted proposal) instrumented the functions nested in it too.
    const wholes = planned.filter((p) => p.whole).map((p) => shifted(p.range, changes));
    const owned = (f: { range: { start: number; end: number } }) =>
      starts.has(f.range.start) || wholes.some((w) => w.start <= f.range.start && f.range.end <= w.end);
    const stripped = stripChanges(spec, tree, after, next, owned);
    const restored = applyChanges(next, stripped.changes);
    if (restored === expected) return { ok: true, changes, text: next };
    const failed = new Set(stripped.failed);
    const named = planned.filter((p) => failed.has(p.name));
    const blame = named.length ? named : blameAt(planned, [firstDifference(expected, restored)]);
    return { ok: false, reason: 'strip would not restore the original', blame };
  } finally {
    tree.delete();
  }
}

/** Start offsets of ERROR and MISSING nodes. */
function errorStarts(root: Node): number[] {
  const out: number[] = [];
  const visit = (node: Node) => {
    if (node.isError || node.isMissing) out.push(node.startIndex);
    else if (node.hasError) for (const c of node.children) if (c) visit(c);
  };
  visit(root);
  return out;
}

/** Maps an offset of the rendered text back to the original (insertions collapse to their offset). */
function toOriginal(offset: number, changes: TextChange[]): number {
  let delta = 0;
  for (const c of changes) {
    const at = c.start + delta;
    if (at > offset) break;
    if (offset < at + c.text.length) return c.start;
    delta += c.text.length - (c.end - c.start);
  }
  return offset - delta;
}

/** The innermost planned function holding each offset; all of them when none holds any. */
function blameAt<P extends PlannedFunction>(planned: P[], offsets: number[]): P[] {
  const { held } = locate(planned, offsets);
  return held.length ? held : planned;
}

/**
 * Who adds the new parse errors: the functions holding them and, when an error lies outside every
 * planned function, the ones bisection finds among the rest (each test renders and parses once).
 */
function parseBlame<P extends PlannedFunction>(
  host: ValidationHost,
  text: string,
  analysis: Analysis,
  planned: P[],
  extra: Piece[],
  offsets: number[],
): P[] {
  const { held, stray } = locate(planned, offsets);
  if (!stray) return held;
  const adds = (subset: P[]) => {
    const tree = host.parse(applyChanges(text, render(text, subset, extra, analysis.strings)));
    try {
      return countErrors(tree.rootNode) > analysis.errorCount;
    } finally {
      tree.delete();
    }
  };
  // When the import alone adds the error, no function can be instrumented.
  if (adds([])) return planned;
  const rest = planned.filter((p) => !held.includes(p));
  const found = rest.length && (held.length === 0 || adds(rest)) ? bisect(rest, adds) : [];
  const blame = [...held, ...found];
  return blame.length ? blame : planned;
}

function firstDifference(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Where `range` lies in the instrumented text, with what was inserted inside it and at its end. */
function shifted(range: { start: number; end: number }, changes: TextChange[]): { start: number; end: number } {
  let before = 0;
  let upTo = 0;
  for (const c of changes) {
    if (c.start < range.start) before += c.text.length;
    if (c.start <= range.end) upTo += c.text.length;
  }
  return { start: range.start + before, end: range.end + upTo };
}

/** Where the planned functions start in the instrumented text (insertions at a start precede it). */
function shiftedStarts(planned: PlannedFunction[], changes: TextChange[]): Set<number> {
  const starts = planned.map((p) => p.range.start).sort((a, b) => a - b);
  const out = new Set<number>();
  let moved = 0;
  let c = 0;
  for (const start of starts) {
    while (c < changes.length && changes[c].start <= start) moved += changes[c++].text.length;
    out.add(start + moved);
  }
  return out;
}
