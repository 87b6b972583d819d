import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, removeProject } from './helpers.js';

let dir: string;

const ids = { correlation_id: 'c', parent_correlation_id: null, trace_id: '0'.repeat(32), span_id: '0'.repeat(16) };
const exit = (name: string, file: string, line: number, duration_ns: number, error?: { type: string; message: string }) =>
  JSON.stringify({ event_type: 'function_exit', timestamp_ns: 1, function_name: name, file, line, ...ids, duration_ns, ...(error ? { error } : {}) });

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-report-'));
  const parseDurations = [100, 200, 300, 400, 500, 600, 700, 800, 900, 1000, 1100, 1200, 1300, 1400, 1500, 1600, 1700, 1800, 1900, 21000];
  const lines = [
    JSON.stringify({ event_type: 'function_entry', timestamp_ns: 1, function_name: 'parse', file: 'app.py', line: 3, ...ids }),
    ...parseDurations.map((d, i) => exit('parse', 'app.py', 3, d, i === 0 ? { type: 'ValueError', message: 'bad' } : undefined)),
    '{"event_type": "function_exit", "function_name": "cut off',
    exit('slow', 'app.py', 9, 5_000_000),
    '',
    JSON.stringify({ event_type: 'function_exit', function_name: 'no duration' }),
    exit('tiny', 'lib.go', 4, 50),
  ];
  fs.writeFileSync(path.join(dir, 'events.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(() => removeProject(dir));

describe('telemetry-injector report', () => {
  it('prints per function calls, errors and durations, slowest total first, and counts malformed lines', async () => {
    const run = await cli(['report', 'events.jsonl'], { cwd: dir });
    expect(run.code).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/calls\s+errors\s+total\s+mean\s+p95\s+function/);
    expect(lines[1]).toMatch(/^\s*1\s+0\s+5\.00ms\s+5\.00ms\s+5\.00ms\s+slow \(app\.py:9\)$/);
    expect(lines[2]).toMatch(/^\s*20\s+1\s+40.0µs\s+2\.0µs\s+1\.9µs\s+parse \(app\.py:3\)$/);
    expect(lines[3]).toMatch(/^\s*1\s+0\s+50ns\s+50ns\s+50ns\s+tiny \(lib\.go:4\)$/);
    expect(run.stdout).toContain('3 functions, 23 events, 2 malformed lines');
    expect(run.stdout).toContain('events.jsonl: 2 malformed (lines 22, 25)');
  });

  it('gives exact nanoseconds and malformed line numbers as JSON', async () => {
    const run = await cli(['report', 'events.jsonl', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout);
    expect(report.functions.map((f: { name: string }) => f.name)).toEqual(['slow', 'parse', 'tiny']);
    expect(report.functions[1]).toEqual({
      name: 'parse', file: 'app.py', line: 3, calls: 20, recorded: 20, errors: 1, total_ns: 40000, mean_ns: 2000, p95_ns: 1900,
    });
    expect(report.malformed).toEqual({ count: 2, files: [{ path: 'events.jsonl', count: 2, lines: [22, 25] }] });
  });

  it("counts the calls the runtimes' call limits left out, from dropped_calls on the recorded exits", async () => {
    const drop = (function_name: string, count: number) => ({ function_name, file: 'hot.go', line: 2, count });
    const withDrops = [
      JSON.stringify({ ...JSON.parse(exit('hot', 'hot.go', 2, 100)), dropped_calls: [drop('hot', 990)] }),
      exit('hot', 'hot.go', 2, 300),
      JSON.stringify({ ...JSON.parse(exit('main', 'hot.go', 1, 5000)), dropped_calls: [drop('hot', 8), drop('cold', 3)] }),
    ];
    fs.writeFileSync(path.join(dir, 'hot.jsonl'), `${withDrops.join('\n')}\n`);
    const run = await cli(['report', 'hot.jsonl', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(run.stdout).functions).toEqual([
      { name: 'main', file: 'hot.go', line: 1, calls: 1, recorded: 1, errors: 0, total_ns: 5000, mean_ns: 5000, p95_ns: 5000 },
      { name: 'hot', file: 'hot.go', line: 2, calls: 1000, recorded: 2, errors: 0, total_ns: 400, mean_ns: 200, p95_ns: 300 },
      { name: 'cold', file: 'hot.go', line: 2, calls: 3, recorded: 0, errors: 0, total_ns: 0, mean_ns: null, p95_ns: null },
    ]);
    const text = await cli(['report', 'hot.jsonl'], { cwd: dir });
    expect(text.stdout).toMatch(/^\s*3\s+0\s+0ns\s+-\s+-\s+cold \(hot\.go:2\)$/m);
  });

  it('skips and counts events of unknown types, and refuses events of another schema version with a message and exit 2', async () => {
    const lines = [
      exit('parse', 'app.py', 3, 100),
      JSON.stringify({ ...JSON.parse(exit('parse', 'app.py', 3, 900)), schema_version: 2 }),
      JSON.stringify({ ...JSON.parse(exit('parse', 'app.py', 3, 100)), event_type: 'heartbeat' }),
      JSON.stringify({ ...JSON.parse(exit('parse', 'app.py', 3, 300)), schema_version: 1 }),
    ];
    fs.writeFileSync(path.join(dir, 'mixed.jsonl'), `${lines.join('\n')}\n`);
    const run = await cli(['report', 'mixed.jsonl', '--format', 'json'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('mixed.jsonl: 1 event of event schema version 2 skipped: this version of telemetry-injector reads version 1');
    const report = JSON.parse(run.stdout);
    expect(report.functions).toEqual([{ name: 'parse', file: 'app.py', line: 3, calls: 2, recorded: 2, errors: 0, total_ns: 400, mean_ns: 200, p95_ns: 300 }]);
    expect(report.skipped).toEqual({ unknownType: 1, otherVersion: 1 });
    const text = await cli(['report', 'mixed.jsonl'], { cwd: dir });
    expect(text.stdout).toContain('1 functions, 2 events, 0 malformed lines, 1 of unknown types, 1 of another schema version');
  });

  it('exits 2 with a message for each file it cannot read', async () => {
    const run = await cli(['report', 'events.jsonl', 'missing.jsonl', '.'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('telemetry-injector: no such file or directory: missing.jsonl');
    expect(run.stderr).toContain('telemetry-injector: not an event file but a folder: .');
    expect(run.stdout).toBe('');
  });
});
