// The fixture of the code-lens tests: an instrumented Python file (as `inject` writes it) and event
// files whose figures are worked out by hand in code-lens.test.ts. Timestamps are relative to the
// time the test runs, so "3 h ago" holds whenever it runs.

export const APP_PY = `import telemetry_runtime as _tm
def parse(text):
    __tel = _tm.on and _tm.enter("parse", "app.py", 1, {"text": text})
    try:
        for ch in text:
            pass
        return _tm.ret(__tel, (text))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def render(doc):
    __tel = _tm.on and _tm.enter("render", "app.py", 7, {"doc": doc})
    try:
        return _tm.ret(__tel, (doc))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


def unused():
    __tel = _tm.on and _tm.enter("unused", "app.py", 11, {})
    try:
        return _tm.ret(__tel, (1))
    except BaseException as __e: _tm.fail(__tel, __e); raise
    finally: __tel and _tm.exit(__tel)


class Cache:
    def get(self, key):
        __tel = _tm.on and _tm.enter("Cache.get", "app.py", 16, {"self": self, "key": key})
        try:
            return _tm.ret(__tel, (key))
        except BaseException as __e: _tm.fail(__tel, __e); raise
        finally: __tel and _tm.exit(__tel)
`;

const HOUR_NS = 3_600_000_000_000;
const MS = 1_000_000;

export function event(type: string, name: string, line: number, ts: number, corr: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    event_type: type, timestamp_ns: ts, function_name: name, file: 'app.py', line,
    correlation_id: corr, parent_correlation_id: null, trace_id: `${'ab'.repeat(15)}${corr.padStart(2, '0').slice(-2)}`, span_id: 'cd'.repeat(8), ...extra,
  });
}

/**
 * The run under test, ended 3 hours ago, from two interleaved processes, with lines to skip:
 * - parse: 4 recorded calls of 1, 2, 3 and 10 ms (the 10 ms one raised ValueError), 1,200 more
 *   left out by the call limits (render's dropped_calls); a for loop at line 5 ran 3 and 5
 *   iterations; one KeyError was handled;
 * - render: one call of 0.8 ms; Cache.get: one call of 50 µs; unused: none;
 * - gone: a function app.py no longer has.
 */
export function currentRun(nowNs: number): string {
  const t = nowNs - 3 * HOUR_NS - 60_000 * MS;
  const lines = [
    event('function_entry', 'parse', 1, t, 'p1', { args: { text: '"a"' } }),
    event('function_entry', 'parse', 1, t + 1, 'p2', { args: { text: '"bb"' } }),
    'not json at all',
    event('loop_exit', 'parse', 5, t + 2, 'p1', { loop: 'for', iterations: 3, duration_ns: 500 }),
    event('function_exit', 'parse', 1, t + 3, 'p1', { duration_ns: 1 * MS }),
    event('loop_exit', 'parse', 5, t + 4, 'p2', { loop: 'for', iterations: 5, duration_ns: 500 }),
    JSON.stringify({ event_type: 'heartbeat', timestamp_ns: t + 5, function_name: 'parse', file: 'app.py', line: 1 }),
    event('function_entry', 'parse', 1, t + 6, 'p3', { args: { text: '"ccc"' } }),
    event('function_exit', 'parse', 1, t + 7, 'p2', { duration_ns: 2 * MS }),
    event('exception', 'parse', 6, t + 8, 'p3', { clause: 'except', error: { type: 'KeyError', message: "'x'" } }),
    event('function_exit', 'parse', 1, t + 9, 'p3', { duration_ns: 3 * MS }),
    event('function_exit', 'parse', 1, t + 10, 'v2', { duration_ns: 99 * MS, schema_version: 2 }),
    event('function_entry', 'parse', 1, t + 11, 'p4', { args: { text: '"dddd"' } }),
    event('function_exit', 'parse', 1, t + 12, 'p4', { duration_ns: 10 * MS, error: { type: 'ValueError', message: 'bad' } }),
    event('function_exit', 'render', 7, t + 13, 'r1', { duration_ns: 0.8 * MS, dropped_calls: [{ function_name: 'parse', file: 'app.py', line: 1, count: 1200 }] }),
    event('function_exit', 'Cache.get', 16, t + 14, 'c1', { duration_ns: 50_000 }),
    event('function_exit', 'gone', 30, t + 15, 'g1', { duration_ns: 1 * MS }),
  ];
  return `${lines.join('\n')}\n`;
}

/** The run before it, ended 5 hours ago, in another file: parse took 5 ms twice. */
export function previousRun(nowNs: number): string {
  const t = nowNs - 5 * HOUR_NS;
  return `${[event('function_exit', 'parse', 1, t, 'o1', { duration_ns: 5 * MS }), event('function_exit', 'parse', 1, t + 1, 'o2', { duration_ns: 5 * MS })].join('\n')}\n`;
}

/** Two more render calls, now: the second written in two pieces, as a process mid-write leaves it. */
export function appended(nowNs: number): [string, string] {
  const second = event('function_exit', 'render', 7, nowNs + 1, 'r3', { duration_ns: 0.4 * MS });
  const first = event('function_exit', 'render', 7, nowNs, 'r2', { duration_ns: 0.6 * MS });
  return [`${first}\n${second.slice(0, 40)}`, `${second.slice(40)}\n`];
}
