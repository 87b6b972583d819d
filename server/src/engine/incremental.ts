// Incremental analysis: the analysis of an edited tree from the analysis of the tree before the
// edit, re-running the sites query only over the statements that the edit and the tree's changed
// ranges (tree.getChangedRanges) touch, with one statement of margin on each side (none when the
// change lies inside one statement, off its first and last lines): top-level statements, or a class
// body's when the change lies inside one member of a class. Statements around are queried only.
// Functions before that stretch are kept as they were; functions after it are kept with their
// offsets and lines moved by the edit. Must give exactly what a fresh analyzeTree gives
// (tests/unit/incremental-analysis.test.ts compares the two on random edits of real files), and
// answers nothing, so that the caller analyzes afresh, whenever it cannot be sure of that: a runtime
// import it lost track of, a module prologue reaching past what it queried. Parse errors on either
// side are no reason: the tree equals a fresh parse (reparse.ts), and `changed` covers every
// statement holding an error that differs from before, so functions outside keep their analysis.
import type { Edit, Node, Query, Tree } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import { countErrors } from './errors.js';
import { breakBefore, lineEnd, lineStart, nextLineStart } from './lines.js';
import { analyzeTree, moduleSyntaxMarks, type Analysis, type Stretch } from './sites.js';
import type { Span } from './types.js';

/** What an analysis of the previous version needs to become the next one's. */
export interface Since {
  analysis: Analysis;
  /** The one edit between the two texts (documents.ts diffs them into one). */
  edit: Edit;
  /** oldTree.getChangedRanges(newTree), in UTF-16 offsets of the new text. */
  changed: Stretch[];
}

/** Statements of margin around the touched ones: kept (re-analyzed) and context (queried only). */
const KEPT_MARGIN = 1;
/** Beyond the kept statements. */
const CONTEXT_MARGIN = 1;

export function analyzeSince(spec: LanguageSpec, query: Query, tree: Tree, text: string, since: Since): Analysis | undefined {
  const old = since.analysis;
  const { edit } = since;
  const delta = edit.newEndIndex - edit.oldEndIndex;
  const lineDelta = edit.newEndPosition.row - edit.oldEndPosition.row;
  let dirtyStart = edit.startIndex;
  let dirtyEnd = edit.newEndIndex;
  for (const r of since.changed) {
    dirtyStart = Math.min(dirtyStart, r.startIndex);
    dirtyEnd = Math.max(dirtyEnd, r.endIndex);
  }
  const top = unitsOf(tree.rootNode);
  if (top.length === 0) return undefined;
  // The level whose statements are re-analyzed: the top level, or the body of a class (or any
  // node holding no function) when the dirty stretch lies inside one statement of that body.
  let units = top;
  let outer: Stretch = { startIndex: 0, endIndex: text.length };
  let [lo, hi] = locate(units, dirtyStart, dirtyEnd);
  for (let level: Node = tree.rootNode; lo === hi; ) {
    const unit = units[lo]!;
    const body = bodyAround(level.child(unit.index), dirtyStart, dirtyEnd, (n) => isFunction(query, n));
    // Never into a function: its analysis is one piece (deep sites, returns) and must be redone whole.
    const inFunction = (start: number, end: number) => old.functions.some((f) => f.range.start <= start && f.range.end >= end - delta);
    if (!body || inFunction(unit.start, unit.end) || inFunction(body.startIndex, body.endIndex)) break;
    const inner = unitsOf(body);
    if (inner.length === 0) break;
    outer = { startIndex: unit.start, endIndex: unit.end };
    level = body;
    units = inner;
    [lo, hi] = locate(units, dirtyStart, dirtyEnd);
  }
  // Inside one statement, off its first and last lines: what its neighbours read around them (the
  // line above a head, a head's own line) is untouched, so only that statement is analyzed again.
  const margin = lo === hi && offEdgeLines(text, units[lo]!, dirtyStart, dirtyEnd) ? 0 : KEPT_MARGIN;
  let keptLo = Math.max(0, lo - margin);
  let keptHi = Math.min(units.length - 1, hi + margin);
  // A function read its head's line and the line above it (ignore comments, where its head starts):
  // those outside the stretch must not share a line with the edit, nor have it on the line above
  // their head. Statements sharing lines (`a; /* c */ function f() {}`, error recovery's pieces)
  // widen the stretch.
  while (keptLo > 0 && nextLineStart(text, units[keptLo - 1]!.end) > dirtyStart) keptLo--;
  while (keptHi + 1 < units.length && lineAbove(text, units[keptHi + 1]!.start) <= dirtyEnd) keptHi++;
  // The stretch re-analyzed; everything outside it is text the edit left alone.
  const kStart = units[keptLo]!.start;
  const kEnd = units[keptHi]!.end;
  if (kStart > edit.startIndex || kEnd < dirtyEnd) return undefined;
  // The whole file (one statement of error recovery holding it all): a fresh analysis costs less.
  if (kStart === 0 && kEnd >= text.length) return undefined;
  const oldEnd = kEnd - delta; // where the kept stretch ended in the old text

  // The import goes after the module prologue. When the prologue ends, and a statement not part of
  // it follows, before the stretch, the edit cannot move it; otherwise the query runs from the
  // file's start and the new place holds if it lies inside what was queried.
  const prologueKept = old.importAt < kStart && top.some((s) => s.end <= kStart && s.start >= old.importAt && s.type !== 'comment');

  // Queried, for what the kept statements read around them (an ignore comment on the line above).
  // At least the line above the stretch and the rest of its last line, whatever statements they hold.
  const context: Stretch = {
    startIndex: Math.min(!prologueKept ? 0 : keptLo - CONTEXT_MARGIN >= 0 ? units[keptLo - CONTEXT_MARGIN]!.start : outer.startIndex, lineAbove(text, kStart)),
    endIndex: Math.max(keptHi + CONTEXT_MARGIN < units.length ? units[keptHi + CONTEXT_MARGIN]!.end : outer.endIndex, lineEnd(text, kEnd)),
  };
  if (!prologueKept) {
    // Up to the first statement past the old prologue (moved by the edit when it lies before it), so
    // that an edit in a file's header comment still finds the import place inside what was queried.
    const prologueEnd = old.importAt >= edit.oldEndIndex ? old.importAt + delta : old.importAt;
    const next = top.find((s) => s.start >= prologueEnd && s.type !== 'comment');
    if (next) context.endIndex = Math.max(context.endIndex, next.end);
  }
  const mid = analyzeTree(spec, query, tree, text, { within: context, keep: { startIndex: kStart, endIndex: kEnd } });
  if (!prologueKept && !(mid.importAt < context.endIndex)) return undefined;
  const inside = (s: Span) => kStart <= s.start && s.end <= kEnd;
  const before = (s: Span) => s.end <= kStart;
  const after = (s: Span) => s.start >= oldEnd;

  const importNode = pick(old.importNode, mid.importNode, inside, before, after, delta);
  const packageClause = pick(old.packageClause, mid.packageClause, inside, before, after, delta);
  if (importNode === LOST || packageClause === LOST) return undefined;

  const oldMarks = moduleSyntaxMarks.get(old) ?? [];
  const marks = [
    ...oldMarks.filter((m) => m < kStart),
    ...(moduleSyntaxMarks.get(mid) ?? []).filter((m) => m >= kStart && m < kEnd),
    ...oldMarks.filter((m) => m >= oldEnd).map((m) => m + delta),
  ];
  const analysis: Analysis = {
    language: old.language,
    functions: [
      ...old.functions.filter((f) => before(f.range)),
      ...mid.functions.filter((f) => inside(f.range)),
      ...old.functions.filter((f) => after(f.range)).map((f) => moved(f, delta, lineDelta)),
    ],
    errorCount: countErrors(tree.rootNode),
    hasImport: importNode !== undefined,
    importNode,
    importAt: prologueKept ? old.importAt : mid.importAt,
    moduleSyntax: marks.length > 0,
    packageClause,
    strings: [
      ...old.strings.filter(before),
      ...mid.strings.filter(inside),
      ...old.strings.filter(after).map((s) => moved(s, delta, lineDelta)),
    ],
  };
  moduleSyntaxMarks.set(analysis, marks);
  return analysis;
}

interface Unit {
  index: number;
  type: string;
  start: number;
  end: number;
}

/** A node's children, read through a cursor (no node objects). */
function unitsOf(node: Node): Unit[] {
  const cursor = node.walk();
  const out: Unit[] = [];
  try {
    if (!cursor.gotoFirstChild()) return out;
    let index = 0;
    do out.push({ index: index++, type: cursor.nodeType, start: cursor.startIndex, end: cursor.endIndex });
    while (cursor.gotoNextSibling());
  } finally {
    cursor.delete();
  }
  return out;
}

/** Where the line above the one holding `offset` starts (0 on the first line). */
function lineAbove(text: string, offset: number): number {
  const start = lineStart(text, offset);
  return lineStart(text, start - breakBefore(text, start));
}

/** The stretch lies inside `unit`, after the end of its first line and before the start of its last. */
function offEdgeLines(text: string, unit: Unit, start: number, end: number): boolean {
  const firstBreak = [text.indexOf('\n', unit.start), text.indexOf('\r', unit.start)].filter((i) => i >= 0);
  const lastBreak = Math.max(text.lastIndexOf('\n', unit.end - 1), text.lastIndexOf('\r', unit.end - 1));
  return firstBreak.length > 0 && Math.min(...firstBreak) < start && end < lastBreak && lastBreak < unit.end;
}

/** The first unit starting at or before the stretch, and the first after it ending at or after it. */
function locate(units: Unit[], start: number, end: number): [number, number] {
  let lo = 0;
  while (lo + 1 < units.length && units[lo + 1]!.start <= start) lo++;
  let hi = lo;
  while (hi + 1 < units.length && units[hi]!.end < end) hi++;
  return [lo, hi];
}

/**
 * Grammar fields (common to the grammars) leading from a statement to the body holding its
 * statements: a decorated or exported definition, then the class's body. Only a `body` is a level.
 */
const WRAPPER_FIELDS = ['definition', 'declaration'];

/** The body of `node` (through wrappers, none of them a function) that holds the whole stretch, if any. */
function bodyAround(node: Node | null, start: number, end: number, isFunction: (n: Node) => boolean): Node | undefined {
  // Strictly inside: a deletion shows as an empty stretch where it ended, which may be a body's edge.
  const holds = (n: Node | null): n is Node => !!n && n.startIndex < start && end < n.endIndex;
  for (let n = node; n; ) {
    if (isFunction(n)) return undefined;
    const body = n.childForFieldName('body');
    if (holds(body)) return body;
    const wrapped: Node | null = WRAPPER_FIELDS.map((f) => n!.childForFieldName(f)).find(holds) ?? null;
    n = wrapped;
  }
  return undefined;
}

const LOST = Symbol('lost');

/**
 * A node the analysis records once (the first runtime import, the package clause): the old one when
 * it lies outside the stretch, else the stretch's; LOST when the old one was inside the stretch and
 * is gone, since a later one the old analysis never recorded may now be the first.
 */
function pick(old: Span | undefined, mid: Span | undefined, inside: (s: Span) => boolean, before: (s: Span) => boolean, after: (s: Span) => boolean, delta: number): Span | undefined | typeof LOST {
  const found = mid && inside(mid) ? mid : undefined;
  if (old && before(old)) return old;
  if (found) return found;
  if (!old) return undefined;
  if (after(old)) return { start: old.start + delta, end: old.end + delta };
  return LOST;
}

/** The sites query takes `node` for a function, in the new tree (the old analysis may not have). */
function isFunction(query: Query, node: Node): boolean {
  return query
    .matches(node, { maxStartDepth: 0 })
    .some((m) => m.captures.some((c) => (c.name === 'function' || c.name === 'function.named') && c.node.id === node.id));
}


/** How far a number inside a site's plain data moves, by the key that holds it: offsets, 1-based lines, or not at all. */
function shiftOf(key: string, delta: number, lineDelta: number): number {
  // A switch, not a Set lookup: this runs for every number of every function after the edit.
  switch (key) {
    case 'start':
    case 'end':
    case 'headStart':
    case 'prologueEnd':
    case 'keywordEnd':
    case 'at':
      return delta;
    case 'line':
      return lineDelta;
    default:
      return 0;
  }
}

/**
 * A deep copy of `value` with every offset moved by `delta` and every `line` by `lineDelta`. Runs
 * for every function after the edit on every keystroke: plain loops, no entry arrays or closures.
 */
function moved<T>(value: T, delta: number, lineDelta: number): T {
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    const out = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i++) out[i] = moved(value[i] as unknown, delta, lineDelta);
    return out as T;
  }
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key in source) {
    const v = source[key];
    if (typeof v === 'number') {
      const by = shiftOf(key, delta, lineDelta);
      out[key] = by === 0 ? v : v + by;
    } else out[key] = typeof v === 'object' && v !== null ? moved(v, delta, lineDelta) : v;
  }
  return out as T;
}
