// Reparse after an edit: the tree of the new text, equal to a fresh parse of it, and where it differs
// from the tree before (what incremental.ts re-analyzes). Owns the rule for when tree-sitter's
// incremental reparse may stand in for a fresh parse; never analyzes, never keeps a tree.
// Must never return a tree that differs from a fresh parse of the text.
import type { Edit, Node, Tree, TreeCursor } from 'web-tree-sitter';
import { pointAt } from '../text/positions.js';
import type { Stretch } from './sites.js';

export interface Reparsed {
  /** The new text's tree, equal to a fresh parse of it; the caller owns it. */
  tree: Tree;
  /** The one edit between the texts (the old tree has been edited by it). */
  edit: Edit;
  /** Where the new tree differs from the old one, in UTF-16 offsets of the new text. */
  changed: Stretch[];
  /** The tree was reparsed incrementally from the old one (else from scratch). */
  reused: boolean;
}

/**
 * The tree of `text`, which `old` (the parse of `oldText`) is edited to match. Tree-sitter's error
 * recovery can differ between an incremental and a fresh parse (tree-sitter#4001, #1444), so an
 * incremental reparse stands only where it parsed every error afresh (reparseAroundErrors);
 * otherwise the text is parsed from scratch. `old` is edited in place and left alive; `changed`
 * compares the two either way.
 */
export function reparse(parse: (text: string, old?: Tree) => Tree, old: Tree, oldText: string, text: string): Reparsed {
  const edit = treeEdit(oldText, text);
  old.edit(edit);
  // A clean file's reparse stands unless the edit made an error (tree-sitter#4001's case).
  const incremental = old.rootNode.hasError ? reparseAroundErrors(parse, old, edit, text) : parse(text, old);
  const reused = !!incremental && incremental.rootNode.hasError === old.rootNode.hasError;
  if (!reused) incremental?.delete();
  const tree = reused ? incremental : parse(text);
  return { tree, edit, changed: changedStretches(old, tree), reused };
}

/** Past this share of the text, statements holding errors leave an incremental reparse little to reuse. */
const MAX_ERROR_SHARE = 0.5;

/**
 * The incremental reparse of a tree holding errors, or nothing. The old statements holding an error
 * are marked changed (a copy of `old` edited over each, text unchanged), so that tree-sitter reuses
 * nothing inside them and recovers there from the tokens, from the same parse state as a fresh parse;
 * elsewhere it reuses only error-free subtrees, as it does in a clean file. The result stands when it
 * holds exactly the same statements with errors, node for node, none of them touching the edit: the
 * edit then parsed cleanly, where reuse is exact. (On random edits of windows of real files holding
 * errors, an unguarded incremental reparse differed from a fresh parse 40 times in 21,877; this one,
 * which stood for 5,928 of 32,000 edits, never did.)
 */
function reparseAroundErrors(parse: (text: string, old?: Tree) => Tree, old: Tree, edit: Edit, text: string): Tree | undefined {
  if (old.rootNode.isError) return undefined;
  const before = errorStatements(old.rootNode);
  let size = 0;
  for (const n of before) {
    if (n.endIndex >= edit.startIndex && n.startIndex <= edit.newEndIndex) return undefined;
    size += n.endIndex - n.startIndex;
  }
  if (size > text.length * MAX_ERROR_SHARE) return undefined;
  const marked = old.copy();
  try {
    for (const n of before) {
      marked.edit({
        startIndex: n.startIndex,
        oldEndIndex: n.endIndex,
        newEndIndex: n.endIndex,
        startPosition: n.startPosition,
        oldEndPosition: n.endPosition,
        newEndPosition: n.endPosition,
      });
    }
    const tree = parse(text, marked);
    const after = errorStatements(tree.rootNode);
    const same = !tree.rootNode.isError && after.length === before.length && after.every((n, i) => sameSubtree(n.walk(), before[i]!.walk()));
    if (same) return tree;
    tree.delete();
    return undefined;
  } finally {
    marked.delete();
  }
}

/** The top-level statements holding a parse error. */
function errorStatements(root: Node): Node[] {
  const out: Node[] = [];
  for (let n = root.firstChild; n; n = n.nextSibling) if (n.hasError) out.push(n);
  return out;
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
      // A statement holding most of the file (error recovery's) is analyzed again whole: comparing it costs as much.
      if (b.endIndex - start > next.rootNode.endIndex * MAX_ERROR_SHARE) {
        out.push({ startIndex: start, endIndex: b.endIndex });
        continue;
      }
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
export function sameSubtree(a: TreeCursor, b: TreeCursor): boolean {
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
