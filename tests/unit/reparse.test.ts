// engine/reparse.ts: when an edit's reparse may reuse the old tree, and that whatever it does, the
// tree equals a fresh parse. Random edits of real files check the same at scale in
// incremental-analysis.test.ts and reparse-equals-fresh.full.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { reparse, sameSubtree, type Reparsed } from '../../server/src/engine/reparse.js';
import { languageById } from '../../server/src/languages/registry.js';
import { Grammars } from '../../server/src/parse/grammars.js';

let grammars: Grammars;

beforeAll(async () => {
  grammars = await Grammars.create();
  await grammars.load(languageById('python'));
});

const spec = () => languageById('python');
const body = (name: string) => `def ${name}(a):\n    total = a\n    return total\n\n\n`;
const broken = `def broken(:\n${['first', 'second', 'third'].map(body).join('')}`;

/** Reparses `before` edited into `after`, checks the tree against a fresh parse, and says how it was made. */
function edited(before: string, after: string): Omit<Reparsed, 'tree'> {
  const old = grammars.parse(spec(), before);
  const result = reparse((t, o) => grammars.parse(spec(), t, o), old, before, after);
  const fresh = grammars.parse(spec(), after);
  try {
    expect(sameSubtree(result.tree.rootNode.walk(), fresh.rootNode.walk())).toBe(true);
    const { tree: _, ...rest } = result;
    return rest;
  } finally {
    for (const tree of [old, result.tree, fresh]) tree.delete();
  }
}

describe('reparse', () => {
  it('reuses the old tree for an edit away from a syntax error elsewhere in the file', () => {
    const result = edited(broken, broken.replace('def third(a):\n    total = a', 'def third(a):\n    total = a + 1'));
    expect(result.reused).toBe(true);
    // Only the edited statement changed: the broken one, parsed again, is the same.
    expect(result.changed.every((r) => r.startIndex > broken.indexOf('def third'))).toBe(true);
  });

  it('parses afresh when the edit touches the statement holding the error', () => {
    expect(edited(broken, broken.replace('def broken(:', 'def broken(x:')).reused).toBe(false);
  });

  it('parses afresh when the edit mends the error', () => {
    expect(edited(broken, broken.replace('def broken(:', 'def broken():\n    pass')).reused).toBe(false);
  });

  it('parses afresh when the edit makes a second error away from the first', () => {
    expect(edited(broken, broken.replace('def third(a):', 'def third(a:')).reused).toBe(false);
  });

  it('parses afresh when an edit makes the first error in a clean file', () => {
    const clean = broken.replace('def broken(:', 'def broken():\n    pass');
    expect(edited(clean, clean.replace('def second(a):', 'def second(a:')).reused).toBe(false);
  });

  it('reuses the old tree of a clean file for a clean edit', () => {
    const clean = broken.replace('def broken(:', 'def broken():\n    pass');
    expect(edited(clean, clean.replace('total = a\n    return total\n\n\ndef third', 'total = 2\n    return total\n\n\ndef third')).reused).toBe(true);
  });
});
