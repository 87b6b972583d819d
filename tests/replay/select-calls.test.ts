// Which captured calls replay keeps, and the reason it gives for each one it skips: previews that
// are not complete JSON literals, methods, calls without an exit, functions whose same arguments
// gave two answers. Pure: a call forest built from hand-written events.
import { describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../protocol/events.js';
import { CallForest } from '../../server/src/trace/call-tree.js';
import { literalProblem, selectCalls } from '../../server/src/replay/select-calls.js';

let n = 0;
function call(forest: CallForest, name: string, args: Record<string, string>, exit: { return?: string; error?: { type: string; message: string } } | null) {
  const id = `c${++n}`;
  const common = { function_name: name, file: 'm.py', line: 1, correlation_id: id, parent_correlation_id: null, trace_id: 't'.repeat(32), span_id: 's'.repeat(16) };
  forest.add({ ...common, event_type: 'function_entry', timestamp_ns: n * 10, args } as TelemetryEvent);
  if (exit) forest.add({ ...common, event_type: 'function_exit', timestamp_ns: n * 10 + 5, duration_ns: 5, ...exit } as TelemetryEvent);
}

describe('literalProblem', () => {
  it('accepts the preview syntax of plain values and names what is wrong with the others', () => {
    for (const ok of ['null', 'true', '-7', '1.5', '"a \\"b\\""', '[1, "x", null]', '{"k": [1, 2], "j": {}}', '"ends with …"']) expect(literalProblem(ok), ok).toBeUndefined();
    expect(literalProblem('"xxxxxxxx…')).toBe('truncated value');
    expect(literalProblem('[0, 1, 2, 3, 4, 5, 6, 7, …]')).toBe('truncated value');
    expect(literalProblem('[[[[…]]]]')).toBe('truncated value');
    expect(literalProblem('{"password": <redacted>, "user": "ada"}')).toBe('redacted value');
    expect(literalProblem('<redacted>')).toBe('redacted value');
    expect(literalProblem('<unrepresentable socket>')).toBe('unrepresentable value');
    expect(literalProblem('(1, 2)')).toBe('not a literal');
    expect(literalProblem('<__main__.Box object at 0x7f>')).toBe('not a literal');
  });
});

describe('selectCalls', () => {
  const options = { recordsReturns: () => true, reachable: () => undefined };

  it('keeps complete calls as cases, merges identical ones, and expects the captured exception type', () => {
    const forest = new CallForest();
    call(forest, 'add', { a: '1', b: '2' }, { return: '3' });
    call(forest, 'add', { a: '1', b: '2' }, { return: '3' });
    call(forest, 'parse', { text: '"x"' }, { error: { type: 'ValueError', message: 'bad' } });
    const selection = selectCalls(forest, options);
    expect(selection.duplicates).toBe(1);
    expect(selection.functions.map((f) => [f.name, f.cases])).toEqual([
      ['add', [{ args: [['a', '1'], ['b', '2']], outcome: { kind: 'returns', json: '3' } }]],
      ['parse', [{ args: [['text', '"x"']], outcome: { kind: 'raises', type: 'ValueError' } }]],
    ]);
    expect(selection.skipped.size).toBe(0);
  });

  it('skips and counts each call it cannot replay exactly, by reason', () => {
    const forest = new CallForest();
    call(forest, 'Box.area', { w: '2' }, { return: '4' });
    call(forest, 'now', {}, { return: '17' });
    call(forest, 'hang', { x: '1' }, null);
    call(forest, 'show', { x: '1' }, {});
    call(forest, 'login', { password: '<redacted>' }, { return: 'true' });
    call(forest, 'long', { n: '300' }, { return: '"=====…' });
    call(forest, 'pair', { x: '1' }, { return: '(1, 1)' });
    // The same argument, two answers: not a function of its arguments.
    call(forest, 'roll', { sides: '6' }, { return: '2' });
    call(forest, 'roll', { sides: '6' }, { return: '5' });
    call(forest, 'roll', { sides: '6' }, { return: '2' });
    const selection = selectCalls(forest, options);
    expect(selection.functions).toEqual([]);
    expect(Object.fromEntries(selection.skipped)).toEqual({
      'method or nested function': 1,
      'no arguments': 1,
      'no exit recorded': 1,
      'no return value recorded': 1,
      'redacted value': 1,
      'truncated value': 1,
      'not a literal': 1,
      'nondeterministic function': 3,
    });
  });

  it('keeps calls without a return where the runtime records none (Go), as calls that must complete', () => {
    const forest = new CallForest();
    call(forest, 'Sum', { xs: '[1, 2]' }, {});
    const selection = selectCalls(forest, { recordsReturns: () => false, reachable: () => undefined });
    expect(selection.functions[0]!.cases[0]!.outcome).toEqual({ kind: 'completes' });
  });
});
