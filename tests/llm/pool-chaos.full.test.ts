// The pool under a seeded storm of faults, for each provider: hundreds of concurrent requests over
// four endpoints whose servers fail at random (HTTP 429/500/503, cut streams, broken JSON, errors
// inside streams, slow answers). Whatever happens: every request ends, with the scripted answer or
// a retryable error after at most three attempts; every attempt is in the ledger; no server ever
// holds more than its cap; and a budget guard that reserves worst cases is never overspent.
import { afterEach, describe, expect, it } from 'vitest';
import type { CallEstimate, LedgerRecord, LlmUsage, ProviderName } from '../../server/src/llm/types.js';
import { clientOn, request, start } from './harness.js';
import type { Fault } from './loopback/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** mulberry32: a seeded generator, so a failure replays. */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const faults: Fault[] = [
  { kind: 'status', status: 429, retryAfter: '0' },
  { kind: 'status', status: 500 },
  { kind: 'status', status: 503 },
  { kind: 'cut', after: 1 },
  { kind: 'invalid-json' },
  { kind: 'stream-error' },
  { kind: 'delay', ms: 15 },
];

/** Reserves input + max output at a fixed price; refuses what would pass the budget. */
function budgetGuard(budgetUsd: number, perToken: number) {
  let committed = 0;
  let held = 0;
  return {
    spent: () => committed,
    reserve(estimate: CallEstimate) {
      const worst = (estimate.inputTokens + estimate.maxOutputTokens) * perToken;
      if (committed + held + worst > budgetUsd) return { refused: `budget of $${budgetUsd} reached` };
      held += worst;
      return {
        commit(usage: LlmUsage | null) {
          held -= worst;
          const cost = usage ? Math.min(worst, (usage.inputTokens + usage.outputTokens) * perToken) : 0;
          committed += cost;
          return cost;
        },
      };
    },
  };
}

describe.each(['openai', 'anthropic', 'ollama'] as ProviderName[])('%s', (provider) => {
  it('survives a seeded storm of faults with every promise kept', async () => {
    const seed = 9000 + provider.length;
    const next = random(seed);
    const servers = await Promise.all(
      [0, 1, 2, 3].map(() => start[provider]({ answer: (call) => JSON.stringify({ code: call.prompt }), fault: () => (next() < 0.35 ? faults[Math.floor(next() * faults.length)] : undefined) })),
    );
    // Enough for about two thirds of the calls the storm needs: the budget runs out part-way.
    const guard = budgetGuard(0.3, 1e-5);
    const ledger: LedgerRecord[] = [];
    const { client } = clientOn(provider, servers, { OLLAMA_NUM_PARALLEL: '2' }, {
      guard,
      observer: { record: (r) => ledger.push(r) },
      health: { windowMs: 60_000, minRequests: 5, failureRatio: 0.5, cooldownMs: 50 },
      random: next,
    });
    open.push(...servers, client);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        client.complete({ ...request, prompt: `def f${i}():\n    return ${i}\n`, functionId: `f${i}` }).then(
          (answer) => ({ i, answer, error: null }),
          (error: Error & { type: string; retryable: boolean }) => ({ i, answer: null, error }),
        ),
      ),
    );
    const summary = { ok: 0, failed: new Map<string, number>() };
    for (const o of outcomes) {
      if (o.answer) {
        summary.ok++;
        expect(JSON.parse(o.answer.text)).toEqual({ code: `def f${o.i}():\n    return ${o.i}\n` });
      } else {
        summary.failed.set(o.error!.type, (summary.failed.get(o.error!.type) ?? 0) + 1);
        expect(o.error!.retryable || o.error!.type === 'budget').toBe(true);
      }
      const attempts = ledger.filter((r) => r.function_id === `f${o.i}` && r['error.type'] !== 'budget');
      expect(attempts.length).toBeLessThanOrEqual(3);
    }
    const calls = servers.reduce((n, s) => n + s.calls.length, 0);
    expect(ledger.filter((r) => r['error.type'] !== 'budget')).toHaveLength(calls);
    for (const s of servers) expect(s.maxInFlight()).toBeLessThanOrEqual(2);
    expect(guard.spent()).toBeLessThanOrEqual(0.3);
    expect(summary.failed.get('budget')).toBeGreaterThan(0);
    expect(summary.ok).toBeGreaterThan(20);
    console.log(`[llm chaos] ${provider}: ${summary.ok}/200 answered, ${calls} calls, failed ${JSON.stringify(Object.fromEntries(summary.failed))}, spent $${guard.spent().toFixed(4)} of $0.30`);
  });
});
