// `telemetry-injector export`: recorded events to a strict loopback OTLP/JSON receiver, with the
// receiver failing, throttling and refusing. (That its mapping equals each runtime's own export is
// shown in tests/runtime/otlp-export.test.ts.)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attr, OtlpReceiver } from '../otlp/receiver.js';
import { cli, removeProject } from './helpers.js';

let dir: string;
const ids = (cid: string, span: string, parent: string | null) => ({
  correlation_id: cid,
  parent_correlation_id: parent,
  trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
  span_id: span,
});
const base = { file: 'app.py', line: 3 };
const lines = [
  { event_type: 'function_entry', timestamp_ns: 1_700_000_000_000_000_000n, function_name: 'main', ...base, ...ids('a', '00f067aa0ba902b7', null), args: {}, caller: null },
  { event_type: 'function_entry', timestamp_ns: 1_700_000_000_000_001_000n, function_name: 'parse', ...base, line: 9, ...ids('b', '00f067aa0ba902b8', 'a'), args: { text: '"x"' }, caller: 'main' },
  { event_type: 'variable_change', timestamp_ns: 1_700_000_000_000_002_000n, function_name: 'parse', ...base, line: 10, ...ids('b', '00f067aa0ba902b8', 'a'), variable: 'n', value: '1' },
  { event_type: 'function_exit', timestamp_ns: 1_700_000_000_000_005_000n, function_name: 'parse', ...base, line: 9, ...ids('b', '00f067aa0ba902b8', 'a'), duration_ns: 4000, error: { type: 'ValueError', message: 'bad' } },
  { event_type: 'function_exit', timestamp_ns: 1_700_000_000_000_009_001n, function_name: 'main', ...base, ...ids('a', '00f067aa0ba902b7', null), duration_ns: 9001 },
];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-export-'));
  // Nanoseconds beyond 2^53 are written as the runtimes write them: exact integers.
  const text = lines.map((l) => JSON.stringify(l, (_, v) => (typeof v === 'bigint' ? `@${v}@` : v)).replace(/"@(\d+)@"/g, '$1'));
  fs.writeFileSync(path.join(dir, 'events.jsonl'), `${text.join('\n')}\nnot json\n`);
});
afterAll(() => removeProject(dir));

describe('telemetry-injector export', () => {
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterEach(() => receiver.close());

  it('sends one span per call with exact nanoseconds, its parent and its error, and the variable as a log record', async () => {
    const run = await cli(['export', 'events.jsonl', '--endpoint', receiver.url, '--header', 'x-key=k'], { cwd: dir });
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(run.stdout).toBe('2 spans and 2 log records read; 4 items delivered, 0 not; 1 malformed lines skipped\n');
    expect(receiver.problems()).toEqual([]);
    const [parse, main] = receiver.spans();
    expect(main).toMatchObject({ spanId: '00f067aa0ba902b7', startTimeUnixNano: '1700000000000000000', endTimeUnixNano: '1700000000000009001' });
    expect(main.parentSpanId).toBeUndefined();
    expect(parse).toMatchObject({ parentSpanId: '00f067aa0ba902b7', status: { code: 2, message: 'bad' } });
    expect(attr(parse.attributes, 'telemetry.arg.text')).toBe('"x"');
    expect(receiver.logs().map((l) => l.eventName)).toEqual(['variable_change', 'exception']);
    expect(receiver.received.every((r) => r.headers['x-key'] === 'k')).toBe(true);
  });

  it('retries a 503 and gives up on a 400, exiting 1 with what it could not deliver', async () => {
    receiver.reply({ status: 503 }, { status: 200 }, { status: 400 });
    const run = await cli(['export', 'events.jsonl', '--endpoint', receiver.url], { cwd: dir });
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('2 items delivered, 2 not');
    expect(receiver.received.map((r) => [r.path, r.status])).toEqual([['/v1/traces', 503], ['/v1/traces', 200], ['/v1/logs', 400]]);
  });

  it('exits 2 without an endpoint', async () => {
    const run = await cli(['export', 'events.jsonl'], { cwd: dir, env: { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: '' } });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--endpoint');
  });
});
