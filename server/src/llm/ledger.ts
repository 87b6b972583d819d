// The call ledger: a CallObserver that appends one JSON line per LLM call, successful or not, to
// `.telemetry_cache/llm-ledger.jsonl` (LedgerRecord, OpenTelemetry gen_ai.* names), and the reader
// `metrics` uses. Appends are single O_APPEND writes, so the server and the CLI can share one file.
// Must never write an API key (endpoints lose their user info and query; known key values are
// masked in every field), never throw into the pool, never rewrite or truncate the file.
import fs from 'node:fs';
import path from 'node:path';
import { DEFAULT_CACHE_FOLDER } from '../cache/plan-cache.js';
import type { CallObserver, LedgerRecord } from './types.js';

export const LEDGER_FILE = 'llm-ledger.jsonl';

/** `<root>/.telemetry_cache/llm-ledger.jsonl`, or that file in `cacheDir` (relative to the root). */
export function ledgerPath(root: string, cacheDir = DEFAULT_CACHE_FOLDER): string {
  return path.join(path.resolve(root, cacheDir), LEDGER_FILE);
}

const KEY_VARIABLES = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY'];
const MASK = '<redacted>';

export interface LedgerOptions {
  /** Secret values never to write; default: the keys in the environment. */
  secrets?: readonly string[];
  /** Told once when the file cannot be written (the calls go on without it). */
  warn?: (message: string) => void;
}

export class Ledger implements CallObserver {
  private readonly secrets: string[];
  private readonly warn: (message: string) => void;
  private failed = false;

  constructor(
    readonly file: string,
    options: LedgerOptions = {},
  ) {
    this.secrets = (options.secrets ?? KEY_VARIABLES.map((name) => process.env[name] ?? '')).filter((s) => s.length >= 8);
    this.warn = options.warn ?? (() => {});
  }

  record(record: LedgerRecord): void {
    try {
      const line = this.mask(JSON.stringify({ ...record, endpoint: safeEndpoint(record.endpoint) }));
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      fs.appendFileSync(this.file, `${line}\n`);
      this.failed = false;
    } catch (error) {
      if (this.failed) return;
      this.failed = true;
      this.warn(`cannot write the LLM ledger ${this.file}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private mask(text: string): string {
    let out = text;
    for (const secret of this.secrets) out = out.split(JSON.stringify(secret).slice(1, -1)).join(MASK);
    return out;
  }
}

/** An endpoint as the ledger shows it: no user info, query or fragment, where keys could travel. */
export function safeEndpoint(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    url.username = '';
    url.password = '';
    url.search = '';
    url.hash = '';
    return url.toString().replace(/\/$/, '');
  } catch {
    return endpoint.replace(/[?#].*$/, '');
  }
}

export interface LedgerRead {
  records: LedgerRecord[];
  lines: number;
  /** Lines that are not a ledger record (not JSON, or missing a field metrics needs): skipped. */
  malformed: number;
  malformedLines: number[];
}

/** Reads a ledger line by line; a bad line is counted and skipped, never fatal. */
export async function readLedger(file: string): Promise<LedgerRead> {
  const { createInterface } = await import('node:readline');
  const read: LedgerRead = { records: [], lines: 0, malformed: 0, malformedLines: [] };
  const lines = createInterface({ input: fs.createReadStream(file), crlfDelay: Infinity });
  for await (const raw of lines) {
    const line = ++read.lines;
    if (raw.trim() === '') continue;
    const record = parseRecord(raw);
    if (record) read.records.push(record);
    else {
      read.malformed++;
      if (read.malformedLines.length < 20) read.malformedLines.push(line);
    }
  }
  return read;
}

function parseRecord(raw: string): LedgerRecord | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const r = value as Record<string, unknown>;
  const ok =
    typeof r.timestamp === 'string' &&
    Number.isFinite(Date.parse(r.timestamp)) &&
    typeof r.success === 'boolean' &&
    typeof r.duration_ms === 'number' &&
    typeof r.cost_usd === 'number' &&
    typeof r['gen_ai.request.model'] === 'string';
  return ok ? (r as unknown as LedgerRecord) : undefined;
}
