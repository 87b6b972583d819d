// Tree edits for validation: a copy of a text's tree with a set of text changes applied as
// tree.edit()s, so that the changed text can be reparsed incrementally from it. Plain offsets in,
// a new tree out; never touches the tree it copies, and the caller owns (and deletes) the copy.
import type { Edit, Point, Tree } from 'web-tree-sitter';
import type { TextChange } from './types.js';

/**
 * `tree` (the parse of `text`) copied and edited by `changes` (sorted, non-overlapping, in offsets
 * of `text`), which turn `text` into `next`. Rows count \n only, columns UTF-16 units, as
 * tree-sitter's points do here (documents.ts treeEdit).
 */
export function editedCopy(tree: Tree, text: string, changes: readonly TextChange[], next: string): Tree {
  const copy = tree.copy();
  const before = newlines(text);
  const after = newlines(next);
  let delta = 0;
  for (const c of changes) {
    const start = c.start + delta;
    const oldEnd = c.end + delta;
    const newEnd = start + c.text.length;
    // Up to an edit's start (and its new end), the partly edited text reads as `next` does.
    const startPosition = pointIn(after, start);
    const edit: Edit = {
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition,
      oldEndPosition: oldEndPoint(before, c, startPosition),
      newEndPosition: pointIn(after, newEnd),
    };
    copy.edit(edit);
    delta += c.text.length - (c.end - c.start);
  }
  return copy;
}

/** Where the replaced text ended, in the partly edited text: its own rows and columns after `start`. */
function oldEndPoint(before: number[], c: TextChange, start: Point): Point {
  if (c.end === c.start) return start;
  const a = pointIn(before, c.start);
  const b = pointIn(before, c.end);
  return b.row === a.row ? { row: start.row, column: start.column + (c.end - c.start) } : { row: start.row + (b.row - a.row), column: b.column };
}

function newlines(text: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) out.push(i);
  return out;
}

/** The point of `offset`, given the offsets of the text's \n characters. */
function pointIn(breaks: number[], offset: number): Point {
  let lo = 0;
  let hi = breaks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (breaks[mid]! < offset) lo = mid + 1;
    else hi = mid;
  }
  return { row: lo, column: offset - (lo === 0 ? 0 : breaks[lo - 1]! + 1) };
}
