// OTLP export from every runtime, against a strict loopback receiver (tests/otlp/receiver.ts): the
// deep-probe programs run with OTEL_EXPORTER_OTLP_ENDPOINT and TELEMETRY_FILE together, and what
// the receiver got is compared with the JSONL the same run wrote: one span per call with its
// parent, duration and status, loop exits as span events, the rest as log records. Then faults:
// a receiver that fails, throttles, refuses, accepts in part, is down or hangs; the program's
// output stays the same and its exit waits at most OTEL_EXPORTER_OTLP_TIMEOUT.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../protocol/events.js';
import { attr, OtlpReceiver } from '../otlp/receiver.js';
import { program, rows } from './deep-programs.js';
import { cli as runCli } from '../cli/helpers.js';
import { readEvents } from './helpers.js';

const EXPORTING = rows.filter((row) => ['python', 'javascript', 'go'].includes(row.lang));

describe.each(EXPORTING)('OTLP export from the $lang runtime', (row) => {
  const p = program(row);
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = await OtlpReceiver.start();
  });
  afterEach(() => receiver.close());

  let secrets = '';
  beforeEach(async () => {
    secrets ||= (await p.run(['secrets'])).stdout;
  });

  // A generous export timeout unless a test is about the timeout: the exit waits for the export
  // at most this long, and a retry after Retry-After's second, on a loaded machine, could otherwise
  // run out of it and lose the spans the test counts. A receiver that answers ends the wait at once.
  const exported = (label: string, args: string[], env: Record<string, string> = {}) =>
    p.traced(label, args, {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
      OTEL_EXPORTER_OTLP_TIMEOUT: '20000',
      ...env,
    });
  /**
   * How long a run lasted past its last event: the wait for the export at exit. Measured from
   * the program's own clock reading at its last event to its exit as this process saw it, so the
   * start-up and the work before it, which a loaded machine stretches, are not counted.
   */
  const pastLastEvent = async <T extends { events: TelemetryEvent[] }>(run: Promise<T>) => {
    const traced = await run;
    const exited = Date.now();
    expect(traced.events.length).toBeGreaterThan(0);
    return { ...traced, ms: exited - Math.max(...traced.events.map((e) => e.timestamp_ns)) / 1e6 };
  };

  it('sends one span per call with its parent, duration and status, in strict OTLP/JSON', async () => {
    const { result, events } = await exported('otlp-demo', ['demo'], {
      OTEL_SERVICE_NAME: 'deep-app',
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=test,team=a%20b',
      OTEL_EXPORTER_OTLP_HEADERS: 'x-api-key=s3cret',
    });
    expect(result).toMatchObject({ code: 0, stdout: row.demo });
    expect(receiver.problems()).toEqual([]);
    const exits = events.filter((e) => e.event_type === 'function_exit');
    const spans = receiver.spans();
    expect(spans.map((s) => s.spanId).sort()).toEqual(exits.map((e) => e.span_id).sort());
    const bySpan = new Map(events.filter((e) => e.event_type === 'function_entry').map((e) => [e.span_id, e]));
    const byCid = new Map([...bySpan.values()].map((e) => [e.correlation_id, e]));
    for (const span of spans) {
      const entry = bySpan.get(span.spanId)!;
      const exit = exits.find((e) => e.span_id === span.spanId)!;
      expect(span).toMatchObject({ traceId: entry.trace_id, name: entry.function_name, kind: 1 });
      expect(span.parentSpanId).toBe(entry.parent_correlation_id === null ? undefined : byCid.get(entry.parent_correlation_id)!.span_id);
      expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(BigInt(exit.duration_ns!));
      expect(attr(span.attributes, 'code.function.name')).toBe(entry.function_name);
      expect(attr(span.attributes, 'code.file.path')).toBe(entry.file);
      expect(attr(span.attributes, 'code.line.number')).toBe(entry.line);
      if (exit.error) {
        expect(span.status).toEqual({ code: 2, message: exit.error.message });
        expect(attr(span.attributes, 'error.type')).toBe(exit.error.type);
      } else {
        expect(span.status?.code ?? 0).toBe(0);
      }
    }
    const explode = spans.find((s) => s.name === row.name.explode)!;
    expect(explode.status?.code).toBe(2);
    expect(explode.events?.filter((e) => e.name === 'loop_exit').map((e) => attr(e.attributes, 'telemetry.iterations'))).toEqual([3]);
    // Fine-grained events are log records carrying their call's trace and span ids.
    const logs = receiver.logs();
    const inner = (e: TelemetryEvent) => ['variable_change', 'branch', 'exception'].includes(e.event_type);
    const errorLogs = logs.filter((l) => l.eventName === 'exception' && attr(l.attributes, 'telemetry.clause') === undefined);
    expect(logs.length - errorLogs.length).toBe(events.filter(inner).length);
    expect(errorLogs.length).toBe(exits.filter((e) => e.error).length);
    for (const log of logs) expect(bySpan.get(log.spanId)?.trace_id).toBe(log.traceId);
    const found = logs.find((l) => l.eventName === 'variable_change' && attr(l.attributes, 'telemetry.variable') === 'found');
    expect(attr(found?.attributes, 'telemetry.value')).toBe('4');
    const resource = (receiver.received[0].body as { resourceSpans?: { resource: { attributes: never[] } }[]; resourceLogs?: { resource: { attributes: never[] } }[] });
    const attrs = (resource.resourceSpans ?? resource.resourceLogs)![0].resource.attributes;
    expect(attr(attrs, 'service.name')).toBe('deep-app');
    expect(attr(attrs, 'team')).toBe('a b');
    expect(attr(attrs, 'deployment.environment')).toBe('test');
    expect(receiver.received.every((r) => r.headers['x-api-key'] === 's3cret')).toBe(true);
  });

  it('sends fine-grained events as span events instead with TELEMETRY_OTLP_EVENTS=span, for Jaeger', async () => {
    const { events } = await exported('otlp-span-events', ['secrets'], { TELEMETRY_OTLP_EVENTS: 'span' });
    expect(receiver.problems()).toEqual([]);
    expect(receiver.logs()).toEqual([]);
    const span = receiver.spans().find((s) => s.name === row.name.secrets)!;
    expect(span.events?.map((e) => e.name)).toEqual(events.filter((e) => e.event_type === 'variable_change').map((e) => e.event_type));
  });

  it('retries a 503, then delivers every span once', async () => {
    receiver.reply({ status: 503 });
    const { events } = await exported('otlp-503', ['secrets']);
    const paths = receiver.received.map((r) => r.path);
    expect(paths.filter((x) => x === '/v1/traces').length + paths.filter((x) => x === '/v1/logs').length).toBe(3);
    expect(receiver.spans().map((s) => s.spanId)).toEqual(events.filter((e) => e.event_type === 'function_exit').map((e) => e.span_id));
  });

  it('waits as long as Retry-After says before retrying a 429', async () => {
    receiver.reply({ status: 429, headers: { 'retry-after': '1' } });
    const { events } = await exported('otlp-429', ['secrets']);
    const first = receiver.received[0];
    const again = receiver.received.find((r, i) => i > 0 && r.path === first.path)!;
    expect(again.at - first.at).toBeGreaterThanOrEqual(950);
    expect(receiver.spans()).toHaveLength(events.filter((e) => e.event_type === 'function_exit').length);
  });

  it('never retries a 400 or a partial success', async () => {
    receiver.reply({ status: 400, body: '{"code":3}' }, { status: 200, body: '{"partialSuccess":{"rejectedLogRecords":"1","errorMessage":"no"}}' });
    const { result } = await exported('otlp-400', ['secrets']);
    expect(result).toMatchObject({ code: 0, stdout: secrets });
    expect(receiver.received).toHaveLength(2);
  });

  it('leaves the program alone when the receiver is down: same output, exit not delayed', async () => {
    const url = receiver.url;
    await receiver.close();
    const { result, ms } = await pastLastEvent(p.traced('otlp-down', ['demo'], { OTEL_EXPORTER_OTLP_ENDPOINT: url, OTEL_EXPORTER_OTLP_TIMEOUT: '1000' }));
    expect(result).toMatchObject({ code: 0, stdout: row.demo });
    expect(ms).toBeLessThan(8000);
    receiver = await OtlpReceiver.start();
  });

  it('exits within OTEL_EXPORTER_OTLP_TIMEOUT when the receiver hangs', async () => {
    receiver.reply({ hang: true }, { hang: true }, { hang: true }, { hang: true });
    const { result, ms } = await pastLastEvent(exported('otlp-hang', ['secrets'], { OTEL_EXPORTER_OTLP_TIMEOUT: '1000' }));
    expect(result).toMatchObject({ code: 0, stdout: secrets });
    expect(ms).toBeLessThan(1000 + 4000);
  });

  it('writes one stderr line for a malformed OTEL_* setting and goes on with the default', async () => {
    const { result, events } = await exported('otlp-bad-env', ['secrets'], { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon', OTEL_EXPORTER_OTLP_HEADERS: 'novalue' });
    expect(result.stdout).toBe(secrets);
    const lines = result.stderr.trim().split('\n').sort();
    expect(lines).toEqual([expect.stringContaining('OTEL_EXPORTER_OTLP_HEADERS'), expect.stringContaining('OTEL_EXPORTER_OTLP_TIMEOUT')]);
    expect(receiver.spans()).toHaveLength(events.filter((e) => e.event_type === 'function_exit').length);
  });

  it('sends the same spans and log records as `telemetry-injector export` of the JSONL the run wrote beside', async () => {
    const { file } = await exported('otlp-both', ['demo'], { OTEL_SERVICE_NAME: 'deep' });
    expect(readEvents(file).length).toBeGreaterThan(0);
    const fromCli = await OtlpReceiver.start();
    try {
      const cli = await runCli(['export', file, '--endpoint', fromCli.url, '--service-name', 'deep'], { cwd: p.dir });
      expect(cli.stderr).toBe('');
      expect(cli.code).toBe(0);
      expect(cli.stdout).toMatch(/^\d+ spans and \d+ log records read; \d+ items delivered, 0 not\n$/);
      expect(fromCli.problems()).toEqual([]);
      const bySpan = (a: { spanId: string }, b: { spanId: string }) => a.spanId.localeCompare(b.spanId);
      // Attributes in one order: the runtimes and the CLI list args and fields alike, but say so explicitly.
      const norm = <T extends { attributes?: { key: string }[] }>(x: T) => ({ ...x, attributes: [...(x.attributes ?? [])].sort((a, b) => a.key.localeCompare(b.key)) });
      expect(fromCli.spans().map(norm).sort(bySpan)).toEqual(receiver.spans().map(norm).sort(bySpan));
      const byLog = (a: { timeUnixNano: string; eventName: string }, b: { timeUnixNano: string; eventName: string }) =>
        a.timeUnixNano.localeCompare(b.timeUnixNano) || a.eventName.localeCompare(b.eventName);
      expect(fromCli.logs().map(norm).sort(byLog)).toEqual(receiver.logs().map(norm).sort(byLog));
    } finally {
      await fromCli.close();
    }
  });
});
