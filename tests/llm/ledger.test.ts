// The ledger appends one JSON line per call with the LedgerRecord fields, and never an API key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Ledger, ledgerPath, readLedger, safeEndpoint } from '../../server/src/llm/ledger.js';
import type { LedgerRecord } from '../../server/src/llm/types.js';

const KEY = 'sk-test-7f3a9c1e5b2d4f6a8c0e';
let dir: string | undefined;
afterEach(() => dir && fs.rmSync(dir, { recursive: true, force: true }));

function record(over: Partial<LedgerRecord> = {}): LedgerRecord {
  return {
    timestamp: '2026-12-04T10:00:00.000Z',
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
    'gen_ai.usage.input_tokens': 1200,
    'gen_ai.usage.output_tokens': 300,
    duration_ms: 850,
    endpoint: 'http://127.0.0.1:8080/v1',
    gpu: null,
    gpu_seconds: null,
    success: true,
    'error.type': null,
    cost_usd: 0.00036,
    attempt: 1,
    purpose: 'plan',
    function_id: 'app.py::parse::function_definition',
    file: 'app.py',
    ...over,
  };
}

describe('the ledger', () => {
  it('appends one line per call, successful or not, in .telemetry_cache/llm-ledger.jsonl', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-ledger-'));
    const file = ledgerPath(dir);
    expect(file).toBe(path.join(dir, '.telemetry_cache', 'llm-ledger.jsonl'));
    const ledger = new Ledger(file, { secrets: [] });
    ledger.record(record());
    ledger.record(record({ success: false, 'error.type': 'http_429', 'gen_ai.response.model': null, cost_usd: 0 }));
    const lines = fs.readFileSync(file, 'utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[0]!)).toEqual(record());
    const read = await readLedger(file);
    expect(read.records.map((r) => r['error.type'])).toEqual([null, 'http_429']);
    expect(read.malformed).toBe(0);
  });

  it('never writes an API key, wherever a record carries it', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-ledger-'));
    const file = ledgerPath(dir);
    const ledger = new Ledger(file, { secrets: [KEY] });
    ledger.record(record({ endpoint: `https://user:${KEY}@llm.internal.test/v1?api-key=${KEY}` }));
    ledger.record(record({ 'error.type': `auth ${KEY}`, function_id: `app.py::${KEY}::function_definition` }));
    const text = fs.readFileSync(file, 'utf8');
    expect(text).not.toContain(KEY);
    expect(text).not.toContain(KEY.slice(3));
    expect(JSON.parse(text.split('\n')[0]!).endpoint).toBe('https://llm.internal.test/v1');
  });

  it('masks the keys of the environment by default', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-ledger-'));
    const saved = process.env.ANTHROPIC_API_KEY;
    process.env.ANTHROPIC_API_KEY = KEY;
    try {
      new Ledger(ledgerPath(dir)).record(record({ 'error.type': `bad key ${KEY}` }));
    } finally {
      if (saved === undefined) delete process.env.ANTHROPIC_API_KEY;
      else process.env.ANTHROPIC_API_KEY = saved;
    }
    expect(fs.readFileSync(ledgerPath(dir), 'utf8')).not.toContain(KEY);
  });

  it('warns once and goes on when the file cannot be written', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-ledger-'));
    fs.writeFileSync(path.join(dir, '.telemetry_cache'), 'a file where the folder should be');
    const warnings: string[] = [];
    const ledger = new Ledger(ledgerPath(dir), { warn: (w) => warnings.push(w) });
    ledger.record(record());
    ledger.record(record());
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/cannot write the LLM ledger/);
  });

  it('shows endpoints without user info or query', () => {
    expect(safeEndpoint('http://a:b@127.0.0.1:11434/?key=x#f')).toBe('http://127.0.0.1:11434');
  });
});
