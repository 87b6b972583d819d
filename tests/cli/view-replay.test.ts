// `view` and `replay` through the real CLI: exports written to a file with what was read and
// skipped, usage errors with exit code 2, and replay's counts on an event file with bad lines.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSyntheticEvents } from '../view/synthetic-events.js';
import { cli } from './helpers.js';

let dir: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-view-cli-'));
  await writeSyntheticEvents(path.join(dir, 'events.jsonl'), { traces: 4, lookups: 2 });
  fs.appendFileSync(path.join(dir, 'events.jsonl'), '{"truncated": \n');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('view', () => {
  it('writes Chrome trace events to --out and says what it read and skipped', async () => {
    const run = await cli(['view', 'events.jsonl', '--format', 'chrome', '--out', 'trace.json'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe('trace.json: chrome JSON, 16 calls in 4 traces, 3 functions; 1 lines skipped (events.jsonl: 1 malformed, 0 of unknown type)\n');
    const trace = JSON.parse(fs.readFileSync(path.join(dir, 'trace.json'), 'utf8')) as { traceEvents: { ph: string }[] };
    expect(trace.traceEvents.filter((e) => e.ph === 'X')).toHaveLength(16);
  });

  it('writes speedscope JSON to stdout, and the skipped lines to stderr', async () => {
    const run = await cli(['view', 'events.jsonl', '--format', 'speedscope'], { cwd: dir });
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { profiles: unknown[] }).profiles.length).toBeGreaterThan(0);
    expect(run.stderr).toContain('1 lines skipped');
  });

  it('refuses an unknown format and a missing file with exit code 2', async () => {
    expect((await cli(['view', 'events.jsonl', '--format', 'pprof'], { cwd: dir })).code).toBe(2);
    const missing = await cli(['view', 'nope.jsonl'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such event file: nope.jsonl');
  });
});

describe('events of another schema version', () => {
  it('are skipped with a message naming the version, by view and by replay', async () => {
    fs.writeFileSync(
      path.join(dir, 'v2.jsonl'),
      '{"schema_version":2,"event_type":"function_entry","timestamp_ns":1,"function_name":"f","file":"a.py","line":1,"correlation_id":"x","parent_correlation_id":null,"trace_id":"t","span_id":"s"}\n',
    );
    const view = await cli(['view', 'v2.jsonl', '--format', 'chrome', '--out', 'v2.json'], { cwd: dir });
    expect(view.code).toBe(0);
    expect(view.stderr).toContain('1 event of event schema version 2 skipped');
    const replay = await cli(['replay', 'v2.jsonl', '--out', 'v2-tests'], { cwd: dir });
    expect(replay.stderr).toContain('1 event of event schema version 2 skipped');
  });
});

describe('replay', () => {
  it('says how many calls it captured and why it skipped the others', async () => {
    // The synthetic files name sources that do not exist here: every call is skipped, and counted.
    const run = await cli(['replay', 'events.jsonl', '--out', 'replayed'], { cwd: dir });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toBe(
      ['16 calls captured; 0 test cases for 0 functions in 0 files', '16 calls skipped:', '  16 source not found', '1 event lines skipped (1 malformed, 0 of unknown type, 0 of another schema version)', ''].join('\n'),
    );
    expect(fs.existsSync(path.join(dir, 'replayed'))).toBe(false);
  });

  it('needs --out', async () => {
    const run = await cli(['replay', 'events.jsonl'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--out DIR is required');
  });
});
