// Reparse after an edit: the tree of the new text, equal to a fresh parse of it, and where it differs
// from the tree before (what incremental.ts re-analyzes). Owns the rule for when tree-sitter's
// incremental reparse may stand in for a fresh parse; never analyzes, never keeps a tree.
import type { Edit, Tree, TreeCursor } from 'web-tree-sitter';
import { pointAt } from '../text/positions.js';
import type { Stretch } from './sites.js';

export interface Reparsed {
  /** The new text's tree, equal to a fresh parse of it; the caller owns it. */
  tree: Tree;
  /** The one edit between the texts (the old tree has been edited by it). */
  edit: Edit;
  /** Where the new tree differs from the old one, in UTF-16 offsets of the new text. */
  changed: Stretch[];
}

/**
 * The tree of `text`, which `old` (the parse of `oldText`) is edited to match. Tree-sitter's error
 * recovery can differ between an incremental and a fresh parse (tree-sitter#4001, #1444), so the old
 * tree is reused only when neither it nor the result holds an error; otherwise the text is parsed
 * from scratch. `old` is edited in place and left alive; `changed` compares the two either way.
 */
export function reparse(parse: (text: string, old?: Tree) => Tree, old: Tree, oldText: string, text: string): Reparsed {
  const edit = treeEdit(oldText, text);
  const hadError = old.rootNode.hasError;
  old.edit(edit);
  let tree = hadError ? undefined : parse(text, old);
  if (!tree || tree.rootNode.hasError) {
    tree?.delete();
    tree = parse(text);
  }
  return { tree, edit, changed: changedStretches(old, tree) };
}

/**
 * Where `next` differs from the edited `old`: tree-sitter's changed ranges, which take two subtrees
 * with the same symbol, place, size, parse state and error cost for equal without looking inside.
 * Between two fresh parses that holds for error-free subtrees (the same tokens from the same parse
 * state), not for those holding an error, whose recovery reads the stack below them: each top-level
 * statement holding one is compared node by node as well.
 */
export function changedStretches(old: Tree, next: Tree): Stretch[] {
  const out = old.getChangedRanges(next).map(({ startIndex, endIndex }) => ({ startIndex, endIndex }));
  if (!next.rootNode.hasError) return out;
  const a = old.rootNode.walk();
  const b = next.rootNode.walk();
  try {
    if (!b.gotoFirstChild()) return out;
    const hasOld = a.gotoFirstChild();
    do {
      if (!b.currentNode.hasError) continue;
      const start = b.startIndex;
      while (hasOld && a.startIndex < start && a.gotoNextSibling());
      if (!hasOld || a.startIndex !== start || !sameSubtree(a.currentNode.walk(), b.currentNode.walk())) {
        out.push({ startIndex: start, endIndex: b.endIndex });
      }
    } while (b.gotoNextSibling());
  } finally {
    a.delete();
    b.delete();
  }
  return out;
}

/** Both cursors' subtrees have the same nodes (type, field, place, missing) in the same shape; deletes both. */
function sameSubtree(a: TreeCursor, b: TreeCursor): boolean {
  try {
    for (let depth = 0; ; ) {
      if (
        a.nodeTypeId !== b.nodeTypeId ||
        a.currentFieldId !== b.currentFieldId ||
        a.startIndex !== b.startIndex ||
        a.endIndex !== b.endIndex ||
        a.nodeIsMissing !== b.nodeIsMissing
      ) {
        return false;
      }
      const down = a.gotoFirstChild();
      if (down !== b.gotoFirstChild()) return false;
      if (down) {
        depth++;
        continue;
      }
      for (;;) {
        if (depth === 0) return true;
        const right = a.gotoNextSibling();
        if (right !== b.gotoNextSibling()) return false;
        if (right) break;
        a.gotoParent();
        b.gotoParent();
        depth--;
      }
    }
  } finally {
    a.delete();
    b.delete();
  }
}

const DIFF_CHUNK = 256;

/**
 * One edit spanning everything between the common prefix and suffix of the two texts. Diffing the
 * texts (rather than replaying content changes) also covers several changes made since the last parse.
 */
export function treeEdit(oldText: string, newText: string): Edit {
  const limit = Math.min(oldText.length, newText.length);
  let start = 0;
  // Whole chunks first (a native comparison), then character by character: this runs on every keystroke.
  while (start + DIFF_CHUNK <= limit && oldText.slice(start, start + DIFF_CHUNK) === newText.slice(start, start + DIFF_CHUNK)) start += DIFF_CHUNK;
  while (start < limit && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let suffix = 0;
  const chunkAt = (text: string) => text.slice(text.length - suffix - DIFF_CHUNK, text.length - suffix);
  while (suffix + DIFF_CHUNK <= limit - start && chunkAt(oldText) === chunkAt(newText)) suffix += DIFF_CHUNK;
  while (
    suffix < limit - start &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  const oldEnd = oldText.length - suffix;
  const newEnd = newText.length - suffix;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(oldText, start),
    oldEndPosition: pointAt(oldText, oldEnd),
    newEndPosition: pointAt(newText, newEnd),
  };
}
