// The event-stream checker itself: it accepts a stream that keeps the contract and names what is
// wrong with one that does not, so that a clean run of the behaviour tests means something.
import { describe, expect, it } from 'vitest';
import { checkEventText, type TelemetryEvent } from './events.js';

let ids = 0;

function call(name: string, parent: TelemetryEvent | null = null) {
  const cid = `c${++ids}`;
  const base = {
    timestamp_ns: 1_700_000_000_000_000_000 + ids,
    function_name: name,
    file: 'f.py',
    line: 10,
    correlation_id: cid,
    parent_correlation_id: parent?.correlation_id ?? null,
    trace_id: parent?.trace_id ?? ids.toString(16).padStart(32, '0'),
    span_id: 'b'.repeat(16),
  };
  const entry = { ...base, event_type: 'function_entry', args: {}, caller: parent?.function_name ?? null };
  return {
    entry,
    exit: (extra: object = {}) => ({ ...base, event_type: 'function_exit', duration_ns: 5, ...extra }),
    deep: (event_type: string, extra: object) => ({ ...base, event_type, line: 12, ...extra }),
  };
}

const text = (events: object[]) => events.map((e) => JSON.stringify(e)).join('\n');
const problems = (events: object[], lang: 'python' | 'javascript' | 'go' = 'python') => checkEventText(text(events), lang).problems;

describe('the event-stream checker', () => {
  it('accepts nested calls with loops, branches, variables and exceptions as the contract writes them', () => {
    const outer = call('outer');
    const inner = call('inner', outer.entry);
    const summary = checkEventText(
      text([
        outer.entry,
        outer.deep('loop_entry', { loop: 'for' }),
        outer.deep('loop_entry', { loop: 'while', line: 13 }),
        outer.deep('branch', { branch: 'elif', condition: 'x > 0' }),
        inner.entry,
        inner.deep('variable_change', { variable: 'password', value: '<redacted>', redacted: true }),
        inner.deep('exception', { clause: 'except', error: { type: 'ValueError', message: 'boom' } }),
        inner.exit(),
        outer.deep('loop_exit', { loop: 'while', line: 13, iterations: 0, duration_ns: 1, suppressed: 0 }),
        outer.deep('loop_exit', { loop: 'for', iterations: 3, duration_ns: 9, suppressed: 2 }),
        outer.exit(),
      ]),
      'python',
    );
    expect(summary.problems).toEqual([]);
    expect(summary).toMatchObject({ events: 11, calls: 2, roots: 1, maxDepth: 1, iterations: 3 });
    expect(summary.open.size).toBe(0);
  });

  it('names an entry without exit, an exit without entry and a second exit', () => {
    const a = call('a');
    const b = call('b');
    expect(checkEventText(text([a.entry]), 'python').open).toEqual(new Map([['a f.py:10', 1]]));
    expect(problems([b.exit()])).toEqual(['function_exit of b for a call that never entered (' + b.entry.correlation_id + ')']);
    expect(problems([a.entry, a.exit(), a.exit()])[0]).toMatch(/function_exit of a after its function_exit/);
  });

  it('names a parent that never entered and a child that does not share its trace', () => {
    const parent = call('parent');
    const orphan = call('orphan', parent.entry);
    expect(problems([orphan.entry, orphan.exit()])).toEqual([`parent of orphan never entered (${parent.entry.correlation_id})`]);
    const child = call('child', parent.entry);
    const other = { ...child.entry, trace_id: 'c'.repeat(32) };
    expect(problems([parent.entry, other, child.exit({ trace_id: 'c'.repeat(32) }), parent.exit()])).toContain(
      "child does not share its parent parent's trace",
    );
  });

  it('names a loop left open, a loop_exit that skips inner loops, and bad iteration counts', () => {
    const f = call('f');
    expect(problems([f.entry, f.deep('loop_entry', { loop: 'for' }), f.exit()])).toEqual([
      'f exited with 1 loop(s) still open (loop_entry without loop_exit)',
    ]);
    const skipped = problems([
      f.entry,
      f.deep('loop_entry', { loop: 'for' }),
      f.deep('loop_entry', { loop: 'while', line: 13 }),
      f.deep('loop_exit', { loop: 'for', iterations: 1, duration_ns: 1, suppressed: 0 }),
      f.exit(),
    ]);
    expect(skipped).toEqual(['loop_exit (for, line 12) in f closes 1 inner loop(s) that never got a loop_exit']);
    const counts = problems([f.entry, f.deep('loop_entry', { loop: 'for' }), f.deep('loop_exit', { loop: 'for', iterations: -1, duration_ns: 1.5, suppressed: 0 }), f.exit()]);
    expect(counts).toEqual(['loop_exit in f counts -1 iterations', 'loop_exit in f has duration_ns 1.5']);
  });

  it("names labels, loop kinds and clauses outside the language's contract", () => {
    const f = call('f');
    expect(problems([f.entry, f.deep('branch', { branch: 'elif', condition: null }), f.exit()], 'javascript')).toEqual([
      'branch label "elif" in f',
    ]);
    expect(problems([f.entry, f.deep('loop_entry', { loop: 'do' }), f.deep('loop_exit', { loop: 'do', iterations: 1, duration_ns: 1, suppressed: 0 }), f.exit()])).toEqual([
      'loop_entry kind "do" in f',
      'loop_exit kind "do" in f',
    ]);
    expect(problems([f.entry, f.deep('exception', { clause: 'catch', error: null }), f.exit()])).toEqual(['exception clause "catch" in f']);
  });

  it('names a previewed secret, a deep event after the exit, and a non-integer timestamp', () => {
    const f = call('f');
    expect(problems([f.entry, f.deep('variable_change', { variable: 'api_key', value: "'k'" }), f.exit()])).toEqual([
      'api_key in f matches the redaction pattern but is previewed',
    ]);
    expect(problems([f.entry, f.exit(), f.deep('branch', { branch: 'if', condition: 'x' })])[0]).toMatch(/^branch of f after its function_exit/);
    const summary = checkEventText(JSON.stringify(f.entry).replace(/"timestamp_ns":\d+/, '"timestamp_ns":1.7e18'), 'python');
    expect(summary.problems[0]).toMatch(/^timestamp_ns is not an integer/);
  });

  it('requires a "panic" exception before a Go exit that panicked, once the runtime writes them', () => {
    const f = call('F');
    const g = call('G');
    const panicking = [f.entry, f.exit({ error: { type: 'string', message: 'boom' } })];
    expect(problems(panicking, 'go')).toEqual([]);
    const withOne = [g.entry, g.deep('exception', { clause: 'panic', error: { type: 'string', message: 'x' } }), g.exit({ error: { type: 'string', message: 'x' } })];
    expect(problems([...withOne, ...panicking], 'go')).toEqual(['F exited by panicking with no "panic" exception event']);
  });
});
