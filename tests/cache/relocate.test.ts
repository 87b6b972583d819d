// Relocatable plans on small hand-made cases: where positions land after re-indentation, values
// that could not be replaced by a placeholder, and stored plans that are not plans at all.
import { describe, expect, it } from 'vitest';
import { FunctionBlock } from '../../server/src/cache/function-block.js';
import { asRelocatable, fromRelocatable, toRelocatable } from '../../server/src/cache/relocate.js';
import type { Plan } from '../../server/src/engine/plan.js';

/** The block of the function starting at `def` (or `function`) in `text`. */
function block(text: string): { block: FunctionBlock; start: number } {
  const start = /def |function /.exec(text)!.index;
  return { block: FunctionBlock.of(text, { start, end: text.length - 1 })!, start };
}

describe('a function block', () => {
  it('maps line starts, code after the indentation and lines left of the base to the same places one level deeper', () => {
    const before = 'class A:\n    def f(x):\n# left of the base\n\n        return x\n';
    const after = 'class A:\n        def f(x):\n    # left of the base\n\n            return x\n';
    const a = block(before);
    const b = block(after);
    expect(b.block.normalized).toBe(a.block.normalized);
    // The def, the comment, the return, the empty line, the start of the return's line.
    const places = (text: string) => [text.indexOf('def'), text.indexOf('# left'), text.indexOf('return'), text.indexOf('\n\n') + 1, text.indexOf('\n\n') + 2];
    const fromA = places(before).map((o) => a.block.encode(o));
    expect(fromA.map((p) => b.block.decode(p!))).toEqual(places(after));
  });

  it('has no position inside the indentation it shares with the base', () => {
    const { block: blk } = block('    def f(x):\n        return x\n');
    expect(blk.encode(2)).toBeUndefined();
    expect(blk.encode(0)).toEqual([0, -1]);
  });

  it('keeps CRLF line breaks in its key and finds lines after them', () => {
    const crlf = block('def f(x):\r\n    return x\r\n');
    const lf = block('def f(x):\n    return x\n');
    expect(crlf.block.normalized).not.toBe(lf.block.normalized);
    expect(crlf.block.decode([1, 4])).toBe('def f(x):\r\n    return x\r\n'.indexOf('return'));
  });
});

describe('a relocatable plan', () => {
  const text = 'def f(f):\n    return f\n';
  const { block: blk, start } = block(text);
  const plan: Plan = {
    start,
    insertions: [{ at: 10, text: '    _tm.enter("f", "a.py", 1, {"f": f})\n', rank: -1e9, kind: 'entry' }],
    indent: undefined,
  };

  it('pins a value it also finds outside its placeholder, and then serves only that value', () => {
    const rel = toRelocatable(plan, blk, { name: 'f', relPath: 'a.py', line: 1 });
    if (typeof rel === 'string') throw new Error(rel);
    expect(rel.pinned).toEqual({ name: 'f' });
    expect(fromRelocatable(rel, blk, { name: 'f', relPath: 'b.py', line: 7 }, start)?.insertions[0].text).toBe('    _tm.enter("f", "b.py", 7, {"f": f})\n');
    expect(fromRelocatable(rel, blk, { name: 'A.f', relPath: 'a.py', line: 1 }, start)).toBeUndefined();
  });

  it('refuses text that already holds a placeholder character', () => {
    const odd = { ...plan, insertions: [{ ...plan.insertions[0], text: '\uE000' }] };
    expect(typeof toRelocatable(odd, blk, { name: 'g', relPath: 'a.py', line: 1 })).toBe('string');
  });

  it('accepts only well-formed stored plans', () => {
    const good = { ins: [{ p: [1, -1], t: 'x', r: 1.5, k: 'exit' }], indent: { from: [1, -1], to: [2, 0], unit: '  ' } };
    expect(asRelocatable(good)).toBe(good);
    for (const bad of [
      null, [], {}, { ins: {} },
      { ins: [{ p: [1], t: 'x', r: 1, k: 'exit' }] },
      { ins: [{ p: [1, -2], t: 'x', r: 1, k: 'exit' }] },
      { ins: [{ p: [1.5, 0], t: 'x', r: 1, k: 'exit' }] },
      { ins: [{ p: [1, 0], t: 3, r: 1, k: 'exit' }] },
      { ins: [{ p: [1, 0], t: 'x', r: null, k: 'exit' }] },
      { ins: [{ p: [1, 0], t: 'x', r: 1, k: 'delete' }] },
      { ins: [], indent: { from: [0, 0], to: [0, 0] } },
      { ins: [], pinned: { line: 'one' } },
    ]) {
      expect(asRelocatable(bad), JSON.stringify(bad)).toBeUndefined();
    }
  });
});
