// A strict OTLP/JSON receiver on loopback, for the exporter tests: it records every request and
// checks it against the OTLP/JSON encoding rules (hex ids of the right length, enums as integers,
// 64-bit integers as decimal strings, lowerCamelCase field names), and answers from a script of
// responses so tests can play a receiver that fails, throttles, refuses or hangs.
// It never checks what a runtime should have sent: tests do that with `spans()` and `logs()`.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Reply {
  status?: number;
  headers?: Record<string, string>;
  body?: string;
  /** Never answer (the connection stays open until the receiver closes). */
  hang?: boolean;
}

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: unknown;
  problems: string[];
  at: number;
  /** The status the receiver answered, or null when it hung. */
  status: number | null;
}

export interface OtlpAttribute {
  key: string;
  value: Record<string, unknown>;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes: OtlpAttribute[];
  events?: { timeUnixNano: string; name: string; attributes: OtlpAttribute[] }[];
  status?: { code?: number; message?: string };
}

export interface OtlpLog {
  timeUnixNano: string;
  severityNumber: number;
  eventName: string;
  attributes: OtlpAttribute[];
  traceId: string;
  spanId: string;
}

const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`);
const ID_FIELDS: Record<string, RegExp> = { traceId: HEX(32), spanId: HEX(16), parentSpanId: HEX(16) };
const TIME_FIELDS = new Set(['startTimeUnixNano', 'endTimeUnixNano', 'timeUnixNano', 'observedTimeUnixNano']);
const ENUM_FIELDS = new Set(['kind', 'code', 'severityNumber']);

/** What in one OTLP/JSON body breaks the encoding rules. */
export function otlpJsonProblems(body: unknown): string[] {
  const problems: string[] = [];
  const walk = (value: unknown, path: string) => {
    if (Array.isArray(value)) return value.forEach((item, i) => walk(item, `${path}[${i}]`));
    if (value === null || typeof value !== 'object') return;
    for (const [key, v] of Object.entries(value)) {
      const at = `${path}.${key}`;
      if (!/^[a-z][a-zA-Z0-9]*$/.test(key)) problems.push(`${at}: not a lowerCamelCase field name`);
      if (key in ID_FIELDS) {
        if (typeof v !== 'string' || !ID_FIELDS[key]!.test(v) || /^0+$/.test(v)) problems.push(`${at}: ${JSON.stringify(v)} is not a valid hex id`);
      } else if (TIME_FIELDS.has(key) || key === 'intValue') {
        if (typeof v !== 'string' || !/^-?\d+$/.test(v)) problems.push(`${at}: ${JSON.stringify(v)} is not a 64-bit integer as a decimal string`);
      } else if (ENUM_FIELDS.has(key)) {
        if (typeof v !== 'number' || !Number.isInteger(v)) problems.push(`${at}: ${JSON.stringify(v)} is not an integer enum`);
      }
      walk(v, at);
    }
  };
  walk(body, '$');
  return problems;
}

export class OtlpReceiver {
  readonly received: Received[] = [];
  private readonly script: Reply[] = [];
  private readonly server: Server;
  private readonly hanging = new Set<ServerResponse>();
  private waiters: (() => void)[] = [];

  private constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  static async start(): Promise<OtlpReceiver> {
    const r = new OtlpReceiver();
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    return r;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Answers the next requests with these replies, in order; then 200 with an empty body. */
  reply(...replies: Reply[]): void {
    this.script.push(...replies);
  }

  spans(): OtlpSpan[] {
    return this.bodies('/v1/traces').flatMap((b) =>
      (b as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)),
    );
  }

  logs(): OtlpLog[] {
    return this.bodies('/v1/logs').flatMap((b) =>
      (b as { resourceLogs: { scopeLogs: { logRecords: OtlpLog[] }[] }[] }).resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords)),
    );
  }

  problems(): string[] {
    return this.received.flatMap((r) => r.problems.map((p) => `${r.path}: ${p}`));
  }

  /** Resolves once `count` requests have arrived (or rejects after the timeout). */
  async requests(count: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.received.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.received.length} of ${count} requests arrived`);
      await new Promise<void>((wake) => {
        this.waiters.push(wake);
        setTimeout(wake, 200);
      });
    }
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** What the receiver accepted: bodies it answered with 2xx. */
  private bodies(path: string): unknown[] {
    return this.received.filter((r) => r.path === path && r.body !== undefined && r.status !== null && r.status < 300).map((r) => r.body);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const problems: string[] = [];
      if (req.method !== 'POST') problems.push(`method ${req.method}`);
      if (req.headers['content-type'] !== 'application/json') problems.push(`content-type ${req.headers['content-type']}`);
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        problems.push(...otlpJsonProblems(body));
      } catch {
        problems.push('body is not JSON');
      }
      const reply = this.script.shift() ?? {};
      this.received.push({ path: req.url ?? '', headers: req.headers, body, problems, at: Date.now(), status: reply.hang ? null : reply.status ?? 200 });
      this.waiters.splice(0).forEach((wake) => wake());
      if (reply.hang) {
        this.hanging.add(res);
        return;
      }
      res.writeHead(reply.status ?? 200, { 'content-type': 'application/json', ...reply.headers });
      res.end(reply.body ?? '{}');
    });
  }
}

/** An attribute's value, as the plain JS value it carries (intValue as a number). */
export function attr(attributes: OtlpAttribute[] | undefined, key: string): unknown {
  const found = attributes?.find((a) => a.key === key)?.value;
  if (found === undefined) return undefined;
  if ('intValue' in found) return Number(found.intValue);
  return Object.values(found)[0];
}
