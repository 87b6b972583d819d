import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { treeEdit } from '../../server/src/lsp/documents.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('python');
});

/** Parses `before`, edits and reparses it incrementally into `after`, and compares with a fresh parse. */
function incrementalMatchesFresh(before: string, after: string): void {
  const old = engine.parse('python', before);
  old.edit(treeEdit(before, after));
  const incremental = engine.parse('python', after, old);
  const fresh = engine.parse('python', after);
  try {
    expect(incremental.rootNode.toString()).toBe(fresh.rootNode.toString());
    expect(incremental.rootNode.endPosition).toEqual(fresh.rootNode.endPosition);
    expect(incremental.rootNode.endIndex).toBe(after.length);
  } finally {
    for (const tree of [old, incremental, fresh]) tree.delete();
  }
}

describe('treeEdit', () => {
  it('spans only what changed between two texts', () => {
    const edit = treeEdit('def f():\n    pass\n', 'def f():\n    return 1\n');
    expect(edit).toMatchObject({ startIndex: 13, oldEndIndex: 17, newEndIndex: 21 });
    expect(edit.startPosition).toEqual({ row: 1, column: 4 });
  });

  it('lets an incremental reparse agree with a fresh parse after an insertion', () => {
    incrementalMatchesFresh('def f():\n    pass\n', 'def f():\n    pass\n\ndef g(x):\n    return x\n');
  });

  it('lets an incremental reparse agree with a fresh parse after a deletion across CRLF lines', () => {
    incrementalMatchesFresh('def f():\r\n    a = 1\r\n    return a\r\n', 'def f():\r\n    return 1\r\n');
  });

  it('lets an incremental reparse agree with a fresh parse around astral characters', () => {
    incrementalMatchesFresh('s = "😀"\ndef f():\n    pass\n', 's = "😀😀"\ndef f():\n    return "𝒻"\n');
  });

  it('reports an empty edit for identical texts', () => {
    expect(treeEdit('abc', 'abc')).toMatchObject({ startIndex: 3, oldEndIndex: 3, newEndIndex: 3 });
  });
});

describe('editedCopy', () => {
  it('gives the tree of the instrumented text, equal to a fresh parse, from the original tree and the changes', async () => {
    const { editedCopy } = await import('../../server/src/engine/tree-edits.js');
    const { applyChanges } = await import('../../server/src/engine/render.js');
    const text = 'import os\r\n\r\ndef f(a):\r\n    x = a + 1\r\n    return x\n\nclass C:\n    def g(self, b):\n        if b:\n            return 1\n        return 2\n';
    const changes = [
      { start: 0, end: 0, text: 'import telemetry_runtime\n' },
      { start: 22, end: 22, text: '    _t = enter()\r\n' },
      { start: text.indexOf('return x') + 7, end: text.indexOf('return x') + 8, text: 'ret(x,\n  2)' },
      { start: text.indexOf('        if b'), end: text.indexOf('        if b'), text: '        _u = enter()\n' },
    ];
    const next = applyChanges(text, changes);
    const original = engine.parse('python', text);
    const edited = editedCopy(original, text, changes, next);
    const incremental = engine.parse('python', next, edited);
    const fresh = engine.parse('python', next);
    try {
      expect(incremental.rootNode.hasError).toBe(false);
      expect(incremental.rootNode.toString()).toBe(fresh.rootNode.toString());
      expect(incremental.rootNode.descendantForIndex(next.indexOf('ret(x'))!.startPosition).toEqual(fresh.rootNode.descendantForIndex(next.indexOf('ret(x'))!.startPosition);
      // The original tree is left as it was.
      expect(original.rootNode.endIndex).toBe(text.length);
    } finally {
      for (const tree of [original, edited, incremental, fresh]) tree.delete();
    }
  });
});
