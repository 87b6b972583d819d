// The Jaeger round trip (full tier): the deep-probe programs in Python, JavaScript and Go export
// over OTLP/HTTP to a real Jaeger v2 (tests/otlp/jaeger.ts builds and caches it), and each trace is
// read back through /api/v3/traces/{id}: every call is a span, parents link, durations match the
// JSONL the same run wrote, and errors carry status ERROR.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TelemetryEvent } from '../../protocol/events.js';
import { program, rows } from '../runtime/deep-programs.js';
import { removeScratch, scratch } from '../runtime/helpers.js';
import { jaegerBinary, startJaeger, type Jaeger } from './jaeger.js';
import { attr, type OtlpSpan } from './receiver.js';

let jaeger: Jaeger;
let dir: string;

beforeAll(async () => {
  dir = scratch();
  const binary = await jaegerBinary((line) => process.stderr.write(`${line}\n`));
  jaeger = await startJaeger(binary, dir);
}, 3_600_000);
afterAll(async () => {
  await jaeger?.stop();
  removeScratch(dir);
});

/**
 * The spans Jaeger holds for one trace, as OTLP JSON, once it holds `count` of them. Up to 60 s: a
 * loaded machine can hold up Jaeger's batching and storage, and only a failure waits that long.
 */
async function traceSpans(traceId: string, count: number): Promise<OtlpSpan[]> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const response = await fetch(`${jaeger.query}/api/v3/traces/${traceId}`);
    if (response.ok) {
      const body = (await response.json()) as { result?: { resourceSpans?: unknown[] }; resourceSpans?: unknown[] };
      const resourceSpans = (body.result?.resourceSpans ?? body.resourceSpans ?? []) as { scopeSpans: { spans: OtlpSpan[] }[] }[];
      const spans = resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans));
      if (spans.length >= count) return spans;
    }
    if (Date.now() > deadline) throw new Error(`trace ${traceId}: fewer than ${count} spans in Jaeger`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe.each(rows)('the $lang runtime exports to a real Jaeger v2', (row) => {
  const p = program(row);

  it('shows every call as a span, with its parent, its duration and its error, read back by trace id', async () => {
    const { result, events } = await p.traced('jaeger', ['demo'], {
      OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp,
      OTEL_SERVICE_NAME: `deep-${row.lang}`,
      TELEMETRY_OTLP_EVENTS: 'span',
    });
    expect(result).toMatchObject({ code: 0, stdout: row.demo });
    const entries = events.filter((e) => e.event_type === 'function_entry');
    const exits = new Map(events.filter((e) => e.event_type === 'function_exit').map((e) => [e.span_id, e]));
    const byCid = new Map(entries.map((e) => [e.correlation_id, e]));
    const traces = new Map<string, TelemetryEvent[]>();
    for (const e of entries) traces.set(e.trace_id, [...(traces.get(e.trace_id) ?? []), e]);
    let checked = 0;
    for (const [traceId, calls] of traces) {
      const spans = await traceSpans(traceId, calls.length);
      expect(spans.map((s) => s.spanId).sort(), `trace ${traceId}`).toEqual(calls.map((c) => c.span_id).sort());
      for (const span of spans) {
        const entry = calls.find((c) => c.span_id === span.spanId)!;
        const exit = exits.get(span.spanId)!;
        const parent = entry.parent_correlation_id === null ? undefined : byCid.get(entry.parent_correlation_id)!.span_id;
        expect(span.parentSpanId || undefined, entry.function_name).toBe(parent);
        expect(span.name).toBe(entry.function_name);
        expect(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)).toBe(BigInt(exit.duration_ns!));
        expect(attr(span.attributes, 'code.function.name')).toBe(entry.function_name);
        if (exit.error) expect(span.status?.code, `${entry.function_name} failed`).toBe(2);
        else expect(span.status?.code ?? 0).not.toBe(2);
        checked++;
      }
    }
    expect(checked).toBe(entries.length);
    expect([...exits.values()].some((e) => e.error)).toBe(true);
  }, 120_000);
});
