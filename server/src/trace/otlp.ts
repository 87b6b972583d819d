// Recorded events (the JSONL contract, protocol/events.ts) as OTLP/JSON, with the mapping the
// runtimes' own exporters use: one span per call (kind INTERNAL, parent = the caller's span,
// code.* attributes, argument and return previews, status ERROR with error.type on an error
// exit plus an exception log record), loop exits as span events, and variable, branch and
// exception events as log records carrying the trace and span ids (or span events when asked).
// Must never do I/O: `export` (server/src/cli/export.ts) reads the files and sends the batches.
import type { TelemetryEvent } from '../../../protocol/events.js';

export interface OtlpAttribute {
  key: string;
  value: { stringValue: string } | { intValue: string } | { boolValue: boolean };
}

export interface OtlpOptions {
  /** Fine-grained events as span events instead of log records (TELEMETRY_OTLP_EVENTS=span). */
  spanEvents: boolean;
}

export type OtlpSpan = Record<string, unknown>;
export type OtlpLog = Record<string, unknown>;

export function attr(key: string, value: unknown): OtlpAttribute {
  if (typeof value === 'boolean') return { key, value: { boolValue: value } };
  // 64-bit integers are decimal strings in OTLP/JSON.
  if (typeof value === 'number' && Number.isInteger(value)) return { key, value: { intValue: String(value) } };
  return { key, value: { stringValue: String(value) } };
}

const OWN = new Set(['event_type', 'timestamp_ns', 'function_name', 'file', 'line', 'correlation_id', 'parent_correlation_id', 'trace_id', 'span_id']);

/** An inner event's own fields as attributes (code.line.number for its line). */
function detail(event: TelemetryEvent): OtlpAttribute[] {
  const attrs = [attr('code.line.number', event.line)];
  for (const [key, value] of Object.entries(event)) {
    if (OWN.has(key)) continue;
    if (value !== null && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) attrs.push(attr(`telemetry.${key}.${k}`, v));
    } else if (value !== null && value !== undefined) {
      attrs.push(attr(`telemetry.${key}`, value));
    }
  }
  return attrs;
}

/** Integer nanoseconds, as text, from the raw line when JSON.parse lost digits. */
const nanos = (value: number | bigint) => BigInt(value).toString();

interface OpenCall {
  entry: TelemetryEvent;
  /** span id of the caller, when it was recorded */
  parentSpan?: string;
  events: Record<string, unknown>[];
}

/**
 * Turns a stream of events (in the order written) into spans and log records. Feed it events
 * with `add`; it returns what each completes. Calls that never exit stay open and are dropped.
 */
export class OtlpMapper {
  private readonly open = new Map<string, OpenCall>();
  private readonly spanOf = new Map<string, string>();

  constructor(private readonly options: OtlpOptions) {}

  add(event: TelemetryEvent, timestamp: bigint): { spans: OtlpSpan[]; logs: OtlpLog[] } {
    const spans: OtlpSpan[] = [];
    const logs: OtlpLog[] = [];
    const kind = event.event_type;
    if (kind === 'function_entry') {
      const parentSpan = event.parent_correlation_id === null ? undefined : this.spanOf.get(event.parent_correlation_id);
      this.open.set(event.correlation_id, { entry: event, parentSpan, events: [] });
      this.spanOf.set(event.correlation_id, event.span_id);
      return { spans, logs };
    }
    const call = this.open.get(event.correlation_id);
    if (kind === 'function_exit') {
      if (call === undefined) return { spans, logs };
      this.open.delete(event.correlation_id);
      const { entry } = call;
      const attrs = [attr('code.function.name', entry.function_name), attr('code.file.path', entry.file), attr('code.line.number', entry.line)];
      for (const [name, shown] of Object.entries(entry.args ?? {})) attrs.push(attr(`telemetry.arg.${name}`, shown));
      if (event.return !== undefined) attrs.push(attr('telemetry.return', event.return));
      if (event.dropped_calls) attrs.push(attr('telemetry.dropped_calls', event.dropped_calls.reduce((n, d) => n + d.count, 0)));
      const span: OtlpSpan = {
        traceId: entry.trace_id,
        spanId: entry.span_id,
        name: entry.function_name,
        kind: 1, // INTERNAL
        startTimeUnixNano: nanos(timestamp - BigInt(event.duration_ns ?? 0)),
        endTimeUnixNano: nanos(timestamp),
        attributes: attrs,
        status: {},
      };
      if (call.parentSpan !== undefined) span.parentSpanId = call.parentSpan;
      if (call.events.length > 0) span.events = call.events;
      if (event.error) {
        span.status = { code: 2, message: event.error.message }; // ERROR
        attrs.push(attr('error.type', event.error.type));
        logs.push(this.log('exception', entry, timestamp, 17, [attr('code.line.number', entry.line), attr('telemetry.exception.type', event.error.type), attr('telemetry.exception.message', event.error.message)]));
      }
      spans.push(span);
      return { spans, logs };
    }
    // A connection a call opened may close after the call's exit: a log record of its own.
    if (kind === 'socket_connection') return { spans, logs: [this.log(kind, event, timestamp, 9, detail(event))] };
    if (call === undefined || kind === 'loop_entry') return { spans, logs };
    if (kind === 'loop_exit' || this.options.spanEvents) {
      call.events.push({ timeUnixNano: nanos(timestamp), name: kind, attributes: detail(event) });
    } else {
      logs.push(this.log(kind, event, timestamp, kind === 'exception' ? 17 : 9, detail(event)));
    }
    return { spans, logs };
  }

  private log(kind: string, event: TelemetryEvent, timestamp: bigint, severity: number, attributes: OtlpAttribute[]): OtlpLog {
    return {
      timeUnixNano: nanos(timestamp),
      observedTimeUnixNano: nanos(timestamp),
      severityNumber: severity,
      severityText: severity >= 17 ? 'ERROR' : 'INFO',
      eventName: kind,
      body: { stringValue: kind },
      attributes: [attr('code.function.name', event.function_name), attr('code.file.path', event.file), ...attributes],
      traceId: event.trace_id,
      spanId: event.span_id,
    };
  }
}

/** The request bodies for a batch, under one resource and the telemetry-injector scope. */
export function tracesBody(resource: Record<string, string>, spans: OtlpSpan[]) {
  return { resourceSpans: [{ resource: resourceOf(resource), scopeSpans: [{ scope: SCOPE, spans }] }] };
}

export function logsBody(resource: Record<string, string>, logRecords: OtlpLog[]) {
  return { resourceLogs: [{ resource: resourceOf(resource), scopeLogs: [{ scope: SCOPE, logRecords }] }] };
}

const SCOPE = { name: 'telemetry-injector', version: '1' };
const resourceOf = (resource: Record<string, string>) => ({ attributes: Object.entries(resource).map(([k, v]) => attr(k, v)) });
