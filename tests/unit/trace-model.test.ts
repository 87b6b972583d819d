// The trace model: duration sketches (exact while small, within 1% after), per-function aggregates
// with bounded memory, and the tail reader that reads only appended whole lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OPEN_CALLS_KEPT, OTHER_TYPE, SLOWEST_KEPT, summarise, TraceAggregator, TYPES_KEPT } from '../../server/src/trace/aggregate.js';
import { DurationSketch, EXACT_LIMIT, RELATIVE_ACCURACY } from '../../server/src/trace/duration-sketch.js';
import { emptyCounts, readEvents, readLine } from '../../server/src/trace/event-stream.js';
import { TailReader } from '../../server/src/trace/tail-reader.js';
import type { TelemetryEvent } from '../../protocol/events.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-trace-model-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const base = { timestamp_ns: 1, file: 'a.py', line: 1, parent_correlation_id: null, trace_id: 'ab'.repeat(16), span_id: 'cd'.repeat(8) };
const exit = (name: string, corr: string, duration_ns: number, extra: Partial<TelemetryEvent> = {}): TelemetryEvent =>
  ({ ...base, event_type: 'function_exit', function_name: name, correlation_id: corr, duration_ns, ...extra }) as TelemetryEvent;

describe('a duration sketch', () => {
  it('answers exact nearest-rank quantiles while it holds at most 256 durations', () => {
    const sketch = new DurationSketch();
    for (let i = 1; i <= EXACT_LIMIT; i++) sketch.add(i * 1000);
    expect(sketch.isExact).toBe(true);
    expect(sketch.quantile(0.5)).toBe(128_000);
    expect(sketch.quantile(0.95)).toBe(Math.ceil(0.95 * EXACT_LIMIT) * 1000);
  });

  it('answers within 1% of the exact value past that, in a bounded number of buckets', () => {
    const sketch = new DurationSketch();
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      const v = Math.round(Math.exp(6 + 8 * (seed / 0x7fffffff)));
      values.push(v);
      sketch.add(v);
    }
    expect(sketch.isExact).toBe(false);
    values.sort((a, b) => a - b);
    for (const q of [0.5, 0.95, 0.99]) {
      // DDSketch's rank is q·(n−1); the guarantee is relative to the value at that rank.
      const exact = values[Math.floor(q * (values.length - 1))]!;
      expect(Math.abs(sketch.quantile(q)! - exact) / exact).toBeLessThanOrEqual(RELATIVE_ACCURACY + 1e-9);
    }
  });

  it('merges: two halves give the figures of the whole', () => {
    const a = new DurationSketch();
    const b = new DurationSketch();
    for (let i = 1; i <= 100; i++) (i % 2 ? a : b).add(i);
    a.merge(b);
    expect([a.count, a.sum, a.min, a.max, a.quantile(0.5)]).toEqual([100, 5050, 1, 100, 50]);
  });
});

describe('the per-function aggregates', () => {
  it('count calls, dropped calls, errors, exception types, loops and the slowest calls with their arguments', () => {
    const model = new TraceAggregator();
    model.add({ ...base, event_type: 'function_entry', function_name: 'f', correlation_id: 'c1', args: { x: '1' } } as TelemetryEvent);
    model.add({ ...base, event_type: 'loop_exit', function_name: 'f', line: 9, correlation_id: 'c1', loop: 'while', iterations: 4 } as TelemetryEvent);
    model.add({ ...base, event_type: 'exception', function_name: 'f', line: 8, correlation_id: 'c1', clause: 'except', error: { type: 'KeyError', message: 'k' } } as TelemetryEvent);
    model.add(exit('f', 'c1', 500, { error: { type: 'ValueError', message: 'v' } }));
    model.add(exit('g', 'c2', 100, { dropped_calls: [{ function_name: 'f', file: 'a.py', line: 1, count: 7 }] }));
    const f = [...model.functions.values()].find((fn) => fn.name === 'f')!;
    expect(summarise(f)).toMatchObject({ calls: 8, recorded: 1, errors: 1, p50Ns: 500, p95Ns: 500, exact: true });
    expect([...f.errorTypes]).toEqual([['ValueError', 1]]);
    expect([...f.caughtTypes]).toEqual([['KeyError', 1]]);
    expect([...f.loops.values()]).toEqual([{ line: 9, kind: 'while', runs: 1, iterations: 4, maxIterations: 4 }]);
    expect(f.slowest[0]).toMatchObject({ durationNs: 500, args: { x: '1' }, error: { type: 'ValueError', message: 'v' } });
  });

  it('keep memory bounded: slowest calls, exception types and open calls are capped', () => {
    const model = new TraceAggregator();
    for (let i = 0; i < OPEN_CALLS_KEPT + 50; i++) {
      model.add({ ...base, event_type: 'function_entry', function_name: 'h', correlation_id: `o${i}`, args: {} } as TelemetryEvent);
    }
    for (let i = 0; i < 100; i++) model.add(exit('h', `e${i}`, i, { error: { type: `E${i}`, message: '' } }));
    const h = [...model.functions.values()][0]!;
    expect(h.slowest.map((c) => c.durationNs)).toEqual([99, 98, 97, 96, 95].slice(0, SLOWEST_KEPT));
    expect(h.errorTypes.size).toBeLessThanOrEqual(TYPES_KEPT + 1);
    expect(h.errorTypes.get(OTHER_TYPE)).toBe(100 - TYPES_KEPT);
    expect((model as unknown as { open: Map<string, unknown> }).open.size).toBeLessThanOrEqual(OPEN_CALLS_KEPT);
  });
});

describe('the event readers', () => {
  it('skip and count lines that are not JSON, unknown types, truncated lines and events of another schema version', async () => {
    const file = path.join(dir, 'bad.jsonl');
    const good = JSON.stringify(exit('f', 'c', 5));
    fs.writeFileSync(file, [good, 'nope', '{"event_type":"mystery","function_name":"f"}', JSON.stringify(exit('f', 'd', 5, { schema_version: 3 })), good.slice(0, 30)].join('\n'));
    const counts = emptyCounts();
    const seen = [];
    for await (const e of readEvents(file, counts)) seen.push(e.line);
    expect(seen).toEqual([1]);
    expect(counts).toMatchObject({ events: 1, malformed: 2, unknownType: 1, otherVersion: 1, otherVersionSeen: 3, malformedLines: [2, 5] });
  });

  it('never throw on lines two processes spliced mid-line, nor on fields of the wrong shape', () => {
    const good = JSON.stringify(exit('f', 'c', 5));
    const odd = [
      `${good.slice(0, 50)}${good}`,
      JSON.stringify(exit('f', 'c', 5, { error: 'boom' as never, dropped_calls: 'x' as never, args: 7 as never })),
      JSON.stringify({ ...exit('f', 'c', 5), timestamp_ns: 'soon', trace_id: 42, correlation_id: null }),
      JSON.stringify({ ...base, event_type: 'loop_exit', function_name: 'f', correlation_id: 'zz', iterations: 'many' }),
      JSON.stringify({ ...base, event_type: 'exception', function_name: 'nobody', correlation_id: 'q', error: null }),
      JSON.stringify({ ...base, event_type: 'function_entry', function_name: 'f', correlation_id: 'e', args: { deep: { a: [1, 2] } } }),
      '[1, 2, 3]', 'null', '"text"', '{"event_type": 5}',
    ];
    const counts = emptyCounts();
    const model = new TraceAggregator();
    for (const line of odd) {
      const read = readLine(line, counts);
      if (read) model.add(read.event);
    }
    expect(counts).toMatchObject({ events: 5, malformed: 5 });
    expect(summarise([...model.functions.values()].find((fn) => fn.name === 'f')!)).toMatchObject({ calls: 2, errors: 0 });
  });

  it('read only the bytes appended since the last read, whole lines only, and start over when the file is truncated', async () => {
    const file = path.join(dir, 'tail.jsonl');
    const line = (corr: string) => `${JSON.stringify(exit('f', corr, 1))}\n`;
    fs.writeFileSync(file, line('a') + line('b').slice(0, 20));
    const reader = new TailReader(file);
    const seen: string[] = [];
    const onEvent = ({ event }: { event: TelemetryEvent }) => seen.push(event.correlation_id);
    expect(await reader.read(onEvent)).toEqual({ restarted: false, events: 1 });
    fs.appendFileSync(file, line('b').slice(20) + line('c'));
    expect(await reader.read(onEvent)).toEqual({ restarted: false, events: 2 });
    expect(await reader.read(onEvent)).toEqual({ restarted: false, events: 0 });
    fs.writeFileSync(file, line('z'));
    let restarts = 0;
    expect(await reader.read(onEvent, () => restarts++)).toEqual({ restarted: true, events: 1 });
    expect([seen, restarts, reader.generation, reader.counts.events]).toEqual([['a', 'b', 'c', 'z'], 1, 1, 1]);
  });

  it('tells a file rewritten in place with more than it held before from one that grew', async () => {
    const file = path.join(dir, 'rewrite.jsonl');
    const line = (corr: string) => `${JSON.stringify(exit('f', corr, 1))}\n`;
    fs.writeFileSync(file, line('a'));
    const reader = new TailReader(file);
    const seen: string[] = [];
    await reader.read(({ event }) => seen.push(event.correlation_id));
    fs.writeFileSync(file, line('x') + line('y'));
    expect(await reader.read(({ event }) => seen.push(event.correlation_id))).toEqual({ restarted: true, events: 2 });
    expect(seen).toEqual(['a', 'x', 'y']);
  });
});
