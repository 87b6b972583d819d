// The budget and the ledger in the real pool: the real SDKs call loopback servers, the Budget guards
// every attempt and the Ledger writes every call to .telemetry_cache/llm-ledger.jsonl, which
// `metrics` then reads. Spend stays within the budget, refused calls never reach a server, and the
// API key never reaches the ledger.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { Budget } from '../../server/src/llm/budget.js';
import { Ledger, ledgerPath, readLedger } from '../../server/src/llm/ledger.js';
import { Prices } from '../../server/src/llm/prices.js';
import type { ProviderName } from '../../server/src/llm/types.js';
import { cli } from '../cli/helpers.js';
import { clientOn, request, start } from './harness.js';
import { faultSequence, type Loopback } from './loopback/index.js';

let dir: string | undefined;
let servers: Loopback[] = [];
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

const KEYS = ['sk-test-key', 'sk-ant-test'];

describe.each(['openai', 'anthropic'] as ProviderName[])('the budget and the ledger in the %s pool', (provider) => {
  it('spend never exceeds the budget, refused calls never reach the server, and every call is one ledger line without the key', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-budget-pool-'));
    const server = await start[provider]({ fault: faultSequence(undefined, { kind: 'status', status: 500 }) });
    servers.push(server);
    // $1 and $2 per million tokens for the loopback's model: each call's worst case is about $0.0013.
    const budget = new Budget(0.005, new Prices({ env: { LLM_PRICE_PER_MTOK: '1,2' } }));
    const ledger = new Ledger(ledgerPath(dir), { secrets: [] });
    const { client } = clientOn(provider, [server], {}, { guard: budget, observer: ledger, maxAttempts: 1 });
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => client.complete({ ...request, maxTokens: 512 })));
    await client.close();

    const ok = results.filter((r) => r.status === 'fulfilled');
    const refused = results.filter((r) => r.status === 'rejected' && (r.reason as { type?: string }).type === 'budget');
    const state = budget.state();
    expect(state.spentUsd).toBeLessThanOrEqual(0.005);
    expect(state.heldUsd).toBe(0);
    expect(refused.length).toBeGreaterThan(0);
    // The server saw only what the budget let through: the successes and the one 500.
    expect(server.calls).toHaveLength(ok.length + 1);
    const spent = ok.reduce((sum, r) => sum + (r as PromiseFulfilledResult<{ costUsd: number }>).value.costUsd, 0);
    expect(spent).toBeCloseTo(state.spentUsd, 8);
    expect(spent).toBeGreaterThan(0);

    console.log(`[budget] ${provider}: budget $0.005, ${ok.length} calls succeeded, 1 failed, ${refused.length} refused; spent $${state.spentUsd.toFixed(6)}`);
    const text = fs.readFileSync(ledgerPath(dir), 'utf8');
    for (const key of KEYS) expect(text).not.toContain(key);
    const read = await readLedger(ledgerPath(dir));
    expect(read.malformed).toBe(0);
    expect(read.records).toHaveLength(8);
    expect(read.records.filter((r) => r['error.type'] === 'budget')).toHaveLength(refused.length);
    expect(read.records.filter((r) => r.success).map((r) => r.cost_usd).reduce((a, b) => a + b, 0)).toBeCloseTo(spent, 10);

    const metrics = await cli(['metrics', '--format', 'json', '--max-daily-cost', '1', '--min-success', '0'], { cwd: dir });
    expect(JSON.parse(metrics.stdout)).toMatchObject({ calls: 8, succeeded: ok.length, failed_by_type: { budget: refused.length } });
    expect(metrics.code).toBe(0);
  });
});
