import { describe, expect, it } from 'vitest';
import { countStates, percentText, sumCounts } from '../../server/src/config/coverage-rule.js';
import { Engine } from '../../server/src/engine/engine.js';
import { functionIds } from '../../server/src/engine/function-id.js';
import { parsePatch } from '../../server/src/cli/git-diff.js';

describe('function ids', () => {
  it('join the file, the qualified name and the kind, numbering later namesakes', () => {
    const sites = [
      { name: 'f', kind: 'function_definition' },
      { name: 'A.m', kind: 'function_definition' },
      { name: 'f', kind: 'function_definition' },
      { name: '<anonymous>', kind: 'arrow_function' },
      { name: '<anonymous>', kind: 'arrow_function' },
    ];
    expect(functionIds('src/a.py', sites)).toEqual([
      'src/a.py::f::function_definition',
      'src/a.py::A.m::function_definition',
      'src/a.py::f::function_definition::2',
      'src/a.py::<anonymous>::arrow_function',
      'src/a.py::<anonymous>::arrow_function::2',
    ]);
  });

  it('survive edits above the function, in real analyses', async () => {
    const engine = await Engine.create();
    await engine.ready('python');
    const before = 'class A:\n    def m(self):\n        def inner():\n            return 1\n        return inner\n';
    const after = `import os\n\n\ndef added():\n    return os.sep\n\n\n${before.replace('return 1', 'return 2')}`;
    const idsOf = (text: string) => functionIds('a.py', engine.analyze('python', text).functions);
    expect(idsOf(before)).toEqual(['a.py::A.m::function_definition', 'a.py::A.m.inner::function_definition']);
    expect(idsOf(after)).toEqual(['a.py::added::function_definition', ...idsOf(before)]);
  });
});

describe('coverage counts', () => {
  it('count covered over eligible and round down, so that nearly all never reads as all', () => {
    const states = [...Array<'instrumented'>(9999).fill('instrumented'), 'missing' as const, 'broken' as const, 'not-required' as const];
    const counts = countStates(states);
    expect(counts).toEqual({ functions: 10002, instrumented: 9999, ignored: 0, missing: 1, excluded: 2, broken: 1, skipped: 0, notRequired: 1, coverage: 99.99 });
    expect(percentText(counts.coverage)).toBe('99.9%');
    expect(countStates(['missing', 'ignored', 'missing']).coverage).toBe(33.33);
    expect(countStates([]).coverage).toBe(100);
  });

  it('add up files from their counts, not from their percentages', () => {
    const one = countStates(['instrumented']);
    const three = countStates(['missing', 'missing', 'missing']);
    expect(sumCounts([one, three])).toMatchObject({ functions: 4, instrumented: 1, missing: 3, coverage: 25 });
  });
});

describe('git diff hunks', () => {
  it('are read per file as added and removed line spans, with renames and quoted names', () => {
    const patch = [
      'diff --git a/app.py b/app.py',
      'index 1..2 100644',
      '--- a/app.py',
      '+++ b/app.py',
      '@@ -1,2 +0,0 @@',
      '-def a():',
      '-    pass',
      '@@ -6 +4,3 @@ def b():',
      '-    y = 1',
      '+    y = 2',
      'diff --git a/old.py "b/new \\303\\251.py"',
      'similarity index 90%',
      'rename from old.py',
      'rename to "new \\303\\251.py"',
      '--- a/old.py',
      '+++ "b/new \\303\\251.py"',
      '@@ -3,0 +4 @@',
      '+x = 1',
      'diff --git a/gone.py b/gone.py',
      'deleted file mode 100644',
      '--- a/gone.py',
      '+++ /dev/null',
      '@@ -1 +0,0 @@',
      '-x = 1',
    ].join('\n');
    expect(parsePatch(patch)).toEqual([
      { oldPath: 'app.py', newPath: 'app.py', removed: [{ first: 1, last: 2 }, { first: 6, last: 6 }], added: [{ first: 4, last: 6 }] },
      { oldPath: 'old.py', newPath: 'new é.py', removed: [], added: [{ first: 4, last: 4 }] },
      { oldPath: 'gone.py', newPath: null, removed: [{ first: 1, last: 1 }], added: [] },
    ]);
  });
});
