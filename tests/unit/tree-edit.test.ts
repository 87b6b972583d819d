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
