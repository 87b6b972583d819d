// `telemetry-injector export <events.jsonl…> --endpoint URL`: sends recorded event files to an
// OpenTelemetry collector as OTLP/JSON over HTTP, with the mapping the runtimes' exporters use
// (server/src/trace/otlp.ts), in batches, retrying 429/502/503/504 and connection errors with
// backoff (honouring Retry-After) but never a 4xx or a partial success; prints what it sent.
// Must never load a whole event file into memory, nor modify one.
import fs from 'node:fs';
import path from 'node:path';
import { emptyCounts, otherVersionMessage, readEvents } from '../trace/event-stream.js';
import { logsBody, OtlpMapper, tracesBody, type OtlpLog, type OtlpSpan } from '../trace/otlp.js';
import { ExitCode, needPaths, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

export const exportHelp = {
  usage: 'export <events.jsonl…> [--endpoint URL] [--header k=v]… [--service-name NAME] [--timeout MS] [--span-events]',
  summary: 'send recorded event files to an OpenTelemetry collector (OTLP/JSON over HTTP)',
  flags: [
    ['--endpoint URL', 'the collector base URL (…/v1/traces, …/v1/logs); default OTEL_EXPORTER_OTLP_ENDPOINT'],
    ['--header k=v', 'an HTTP header, repeatable; default OTEL_EXPORTER_OTLP_HEADERS'],
    ['--service-name NAME', 'service.name; default OTEL_SERVICE_NAME, else the first file name'],
    ['--timeout MS', 'per request, and the retry budget of a batch is three times it (default 10000)'],
    ['--span-events', 'fine-grained events as span events instead of log records (for Jaeger)'],
  ],
} as const;

const BATCH = 512;
const RETRYABLE = new Set([429, 502, 503, 504]);

interface Options {
  endpoint?: string;
  header?: string[];
  'service-name'?: string;
  timeout?: string;
  'span-events'?: boolean;
}

export async function exportEvents(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<Options>('export', args, {
    endpoint: { type: 'string' },
    header: { type: 'string', multiple: true },
    'service-name': { type: 'string' },
    timeout: { type: 'string' },
    'span-events': { type: 'boolean' },
  });
  needPaths('export', positionals, 'event file');
  const env = process.env;
  const base = (values.endpoint ?? env.OTEL_EXPORTER_OTLP_ENDPOINT ?? '').trim().replace(/\/+$/, '');
  const traces = values.endpoint ? `${base}/v1/traces` : env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || (base && `${base}/v1/traces`);
  const logs = values.endpoint ? `${base}/v1/logs` : env.OTEL_EXPORTER_OTLP_LOGS_ENDPOINT || (base && `${base}/v1/logs`);
  if (!traces || !/^https?:\/\//.test(traces)) throw new UsageError('export: --endpoint (or OTEL_EXPORTER_OTLP_ENDPOINT) wants an http(s) URL');
  const timeout = Number(values.timeout ?? env.OTEL_EXPORTER_OTLP_TIMEOUT ?? 10000);
  if (!Number.isInteger(timeout) || timeout <= 0) throw new UsageError(`export: --timeout wants milliseconds, not "${values.timeout}"`);
  const headers: Record<string, string> = {};
  for (const pair of values.header ?? (env.OTEL_EXPORTER_OTLP_HEADERS ?? '').split(',').filter((p) => p.trim())) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`export: a header wants k=v, not "${pair}"`);
    headers[decodeURIComponent(pair.slice(0, eq).trim())] = decodeURIComponent(pair.slice(eq + 1).trim());
  }
  const resource: Record<string, string> = {};
  for (const pair of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',').filter((p) => p.includes('='))) {
    resource[decodeURIComponent(pair.slice(0, pair.indexOf('=')).trim())] = decodeURIComponent(pair.slice(pair.indexOf('=') + 1).trim());
  }
  resource['service.name'] = values['service-name'] ?? (env.OTEL_SERVICE_NAME || resource['service.name'] || path.basename(positionals[0]!, '.jsonl'));
  resource['telemetry.sdk.name'] ??= 'telemetry-injector';

  const sender = new Sender(headers, timeout);
  const totals = { spans: 0, logs: 0, malformed: 0, unknownType: 0, otherVersion: 0 };
  for (const arg of positionals) {
    const file = path.resolve(ctx.cwd, arg);
    if (!fs.statSync(file, { throwIfNoEntry: false })?.isFile()) {
      ctx.reporter.error(`no such event file: ${arg}`);
      return ExitCode.error;
    }
    const mapper = new OtlpMapper({ spanEvents: values['span-events'] ?? false });
    let spans: OtlpSpan[] = [];
    let records: OtlpLog[] = [];
    const flush = async (all: boolean) => {
      while (spans.length >= BATCH || (all && spans.length > 0)) {
        const batch = spans.splice(0, BATCH);
        await sender.send(traces, tracesBody(resource, batch), batch.length);
      }
      while (records.length >= BATCH || (all && records.length > 0)) {
        const batch = records.splice(0, BATCH);
        if (logs) await sender.send(logs, logsBody(resource, batch), batch.length);
      }
    };
    const counts = emptyCounts();
    for await (const { event, raw } of readEvents(file, counts)) {
      // The integer as written: JSON.parse rounds nanoseconds beyond 2^53.
      const written = /"timestamp_ns"\s*:\s*(\d+)/.exec(raw);
      if (!written) {
        totals.malformed++;
        continue;
      }
      const out = mapper.add(event, BigInt(written[1]!));
      spans.push(...out.spans);
      records.push(...out.logs);
      totals.spans += out.spans.length;
      totals.logs += out.logs.length;
      if (spans.length >= BATCH || records.length >= BATCH) await flush(false);
    }
    totals.malformed += counts.malformed;
    totals.unknownType += counts.unknownType;
    totals.otherVersion += counts.otherVersion;
    const refused = otherVersionMessage(counts, arg);
    if (refused) ctx.reporter.error(refused);
    await flush(true);
    spans = [];
    records = [];
  }
  ctx.stdout.write(
    `${totals.spans} spans and ${totals.logs} log records read; ${sender.sent} items delivered, ${sender.failed} not` +
      `${totals.malformed ? `; ${totals.malformed} malformed lines skipped` : ''}` +
      `${totals.unknownType ? `; ${totals.unknownType} events of unknown types skipped` : ''}\n`,
  );
  if (totals.otherVersion > 0) return ExitCode.error;
  return sender.failed > 0 ? ExitCode.findings : ExitCode.ok;
}

class Sender {
  sent = 0;
  failed = 0;

  constructor(
    private readonly headers: Record<string, string>,
    private readonly timeout: number,
  ) {}

  /** POSTs one batch, retrying what OTLP says to retry, within three timeouts. */
  async send(url: string, body: unknown, count: number): Promise<void> {
    const data = JSON.stringify(body);
    const deadline = Date.now() + 3 * this.timeout;
    let delay = 100;
    for (;;) {
      let status = 0;
      let retryAfter: number | undefined;
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: { ...this.headers, 'content-type': 'application/json' },
          body: data,
          redirect: 'error',
          signal: AbortSignal.timeout(this.timeout),
        });
        status = response.status;
        const retry = response.headers.get('retry-after')?.trim();
        if (retry && /^\d+$/.test(retry)) retryAfter = Number(retry) * 1000;
        await response.body?.cancel();
      } catch {
        status = 0;
      }
      if (status >= 200 && status < 300) {
        this.sent += count;
        return;
      }
      const wait = retryAfter ?? delay * (0.5 + Math.random());
      if ((status !== 0 && !RETRYABLE.has(status)) || Date.now() + wait >= deadline) {
        this.failed += count;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, wait));
      delay = Math.min(delay * 2, 5000);
    }
  }
}
