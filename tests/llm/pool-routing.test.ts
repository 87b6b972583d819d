// The pool's own decisions, seen from loopback servers: the per-endpoint cap and the local queue,
// fewest-in-flight routing, cooldowns and waiting them out, fail-over at most twice, the budget
// guard before every call, cancellation, and Ollama's loaded models.
import { afterEach, expect, it } from 'vitest';
import { readInventory } from '../../server/src/llm/ollama-inventory.js';
import { formatStatus } from '../../server/src/llm/status.js';
import type { CallEstimate, LlmUsage } from '../../server/src/llm/types.js';
import { clientOn, failure, request } from './harness.js';
import { faultSequence, startOllamaLoopback, startOpenAiLoopback, type Loopback } from './loopback/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

it('one endpoint with a cap of 1 serves queued requests one at a time', async () => {
  const server = await startOpenAiLoopback({ latencyMs: 30 });
  const { client } = clientOn('openai', [server], { OLLAMA_NUM_PARALLEL: '1' });
  open.push(server, client);
  const answers = await Promise.all(Array.from({ length: 5 }, () => client.complete(request)));
  expect(answers).toHaveLength(5);
  expect(server.maxInFlight()).toBe(1);
});

it('requests spread over endpoints by fewest in flight, never above each cap', async () => {
  const servers = await Promise.all([0, 1, 2].map(() => startOpenAiLoopback({ latencyMs: 200 })));
  const { client } = clientOn('openai', servers, { OLLAMA_NUM_PARALLEL: '2' });
  open.push(...servers, client);
  const all = Promise.all(Array.from({ length: 12 }, () => client.complete(request)));
  // The first six go out at once, two to each; the other six wait in the pool, not on a server.
  expect(client.endpoints.map((e) => e.inFlight)).toEqual([2, 2, 2]);
  expect(client.router.queued).toBe(6);
  await all;
  expect(servers.reduce((n, s) => n + s.calls.length, 0)).toBe(12);
  for (const s of servers) expect(s.maxInFlight()).toBe(2);
});

it('an endpoint failing half its requests cools down and gets no more requests meanwhile', async () => {
  const a = await startOpenAiLoopback({ fault: () => ({ kind: 'status', status: 500 }) });
  const b = await startOpenAiLoopback();
  const { client, logs } = clientOn('openai', [a, b], {}, { health: { windowMs: 60_000, minRequests: 5, failureRatio: 0.5, cooldownMs: 60_000 } });
  open.push(a, b, client);
  for (let i = 0; i < 8; i++) await client.complete(request);
  expect(a.calls).toHaveLength(5);
  expect(b.calls).toHaveLength(8);
  expect(client.endpoints[0]!.health.cooldowns).toBe(1);
  expect(logs.join('\n')).toMatch(/cooling down/);
});

it('when every endpoint is cooling down a request waits for the first to come back', async () => {
  let failing = true;
  const server = await startOpenAiLoopback({ fault: () => (failing ? { kind: 'status', status: 503 } : undefined) });
  const { client, ledger } = clientOn('openai', [server], {}, { health: { windowMs: 60_000, minRequests: 2, failureRatio: 0.5, cooldownMs: 300 }, maxAttempts: 3, log: () => (failing = false) });
  open.push(server, client);
  const got = await client.complete(request);
  expect(got.text).toBe('{"code":"ok"}');
  expect(client.endpoints[0]!.health.cooldowns).toBe(1);
  expect(ledger.map((r) => r['error.type'])).toEqual(['http_503', 'http_503', null]);
});

it('a request fails over at most twice: three attempts on three endpoints, then the error', async () => {
  const servers = await Promise.all([0, 1, 2, 3].map(() => startOpenAiLoopback({ fault: () => ({ kind: 'status', status: 502 }) })));
  const { client, ledger } = clientOn('openai', servers);
  open.push(...servers, client);
  const error = await failure(client.complete(request));
  expect(error.type).toBe('http_502');
  expect(new Set(ledger.map((r) => r.endpoint)).size).toBe(3);
  expect(servers.reduce((n, s) => n + s.calls.length, 0)).toBe(3);
});

it('a 4xx other than 408/409/429 is not retried', async () => {
  const server = await startOpenAiLoopback({ fault: () => ({ kind: 'status', status: 400 }) });
  const { client } = clientOn('openai', [server]);
  open.push(server, client);
  const error = await failure(client.complete(request));
  expect([error.type, error.retryable]).toEqual(['http_400', false]);
  expect(server.calls).toHaveLength(1);
});

it('the budget is asked before every attempt, and a refusal never reaches a server', async () => {
  const server = await startOpenAiLoopback({ fault: faultSequence({ kind: 'status', status: 500 }) });
  const estimates: CallEstimate[] = [];
  const commits: (LlmUsage | null)[] = [];
  let allowed = 2;
  const guard = {
    reserve: (estimate: CallEstimate) => {
      estimates.push(estimate);
      if (allowed-- <= 0) return { refused: 'budget of $0.01 reached' };
      return { commit: (usage: LlmUsage | null) => (commits.push(usage), 0.001) };
    },
  };
  const { client, ledger } = clientOn('openai', [server], {}, { guard });
  open.push(server, client);
  const got = await client.complete(request);
  expect(got.costUsd).toBe(0.001);
  // The 500 was not billed; the success was, with the server's usage.
  expect(commits[0]).toBeNull();
  expect(commits[1]).toEqual(got.usage);
  expect(estimates[0]).toMatchObject({ provider: 'openai', model: 'm1', maxOutputTokens: 256 });
  expect(estimates[0]!.inputTokens).toBeGreaterThan(0);
  const refused = await failure(client.complete(request));
  expect([refused.type, refused.retryable]).toEqual(['budget', false]);
  expect(server.calls).toHaveLength(2);
  expect(ledger.at(-1)).toMatchObject({ success: false, 'error.type': 'budget', cost_usd: 0 });
});

it('a call cut off by its timeout is committed at its worst case, since it may have been billed', async () => {
  const server = await startOpenAiLoopback({ fault: () => ({ kind: 'stall' }) });
  const commits: (LlmUsage | null)[] = [];
  const guard = { reserve: () => ({ commit: (usage: LlmUsage | null) => (commits.push(usage), 0) }) };
  const { client } = clientOn('openai', [server], { LLM_FIRST_TOKEN_TIMEOUT: '300ms' }, { guard, maxAttempts: 1 });
  open.push(server, client);
  expect((await failure(client.complete(request))).type).toBe('first_token_timeout');
  expect(commits[0]?.outputTokens).toBe(request.maxTokens);
});

it('cancelling a request stops it, and it is not retried', async () => {
  const server = await startOpenAiLoopback({ fault: () => ({ kind: 'stall-after-headers' }) });
  const { client, ledger } = clientOn('openai', [server], {});
  open.push(server, client);
  const controller = new AbortController();
  const pending = client.complete(request, controller.signal);
  await server.waitForCalls(1);
  controller.abort();
  expect((await failure(pending)).type).toBe('aborted');
  expect(server.calls).toHaveLength(1);
  expect(ledger.map((r) => r['error.type'])).toEqual(['aborted']);
});

it('a queued request that is cancelled leaves the queue without a call', async () => {
  const server = await startOpenAiLoopback({ fault: faultSequence({ kind: 'stall-after-headers' }) });
  const { client } = clientOn('openai', [server], { OLLAMA_NUM_PARALLEL: '1' });
  open.push(server, client);
  const first = new AbortController();
  const holding = client.complete(request, first.signal);
  await server.waitForCalls(1);
  const second = new AbortController();
  const queued = client.complete(request, second.signal);
  expect(client.router.queued).toBe(1);
  second.abort();
  expect((await failure(queued)).type).toBe('aborted');
  expect(client.router.queued).toBe(0);
  first.abort();
  await failure(holding);
  expect(server.calls).toHaveLength(1);
});

async function ollamaWith(loaded: { name: string; size: number; sizeVram?: number }[]): Promise<Loopback> {
  return startOllamaLoopback({ state: { models: [{ name: 'm1:latest', size: 4e9 }], loaded } });
}

it('Ollama: reads /api/tags and /api/ps; a model partly on the CPU is degraded', async () => {
  const server = await ollamaWith([{ name: 'm1:latest', size: 4e9, sizeVram: 3e9 }]);
  open.push(server);
  const inventory = await readInventory(server.url);
  expect(inventory.reachable).toBe(true);
  expect(inventory.models).toEqual([{ name: 'm1:latest', size: 4e9, loaded: true, sizeVram: 3e9, degraded: true }]);
});

it('Ollama: an unreachable server is reported, not thrown', async () => {
  const server = await ollamaWith([]);
  await server.close();
  const inventory = await readInventory(server.url);
  expect(inventory).toMatchObject({ reachable: false, models: [] });
  expect(inventory.error).toBeTruthy();
});

it('Ollama: requests prefer the endpoint with the model loaded wholly on its GPU', async () => {
  const cold = await ollamaWith([]);
  const partial = await ollamaWith([{ name: 'm1:latest', size: 4e9, sizeVram: 2e9 }]);
  const warm = await ollamaWith([{ name: 'm1', size: 4e9, sizeVram: 4e9 }]);
  const { client } = clientOn('ollama', [cold, partial, warm]);
  open.push(cold, partial, warm, client);
  await client.refresh();
  for (let i = 0; i < 3; i++) await client.complete(request);
  expect([cold.calls.length, partial.calls.length, warm.calls.length]).toEqual([0, 0, 3]);
});

it('a key the server echoes in its error never reaches the error or the ledger', async () => {
  const server = await startOpenAiLoopback({ fault: (call) => ({ kind: 'status', status: 401, message: `Incorrect API key provided: ${String(call.headers.authorization).slice(7)}` }) });
  const { client, ledger, logs } = clientOn('openai', [server], { OPENAI_API_KEY: 'sk-live-very-secret' });
  open.push(server, client);
  const error = await failure(client.complete(request));
  expect(error.type).toBe('http_401');
  expect(error.message).toContain('Incorrect API key provided: [redacted]');
  expect(JSON.stringify([error.message, error.stack, ledger, logs])).not.toContain('sk-live-very-secret');
});

it('with no model loaded anywhere, the endpoint on the GPU with the most free memory gets it, and keeps it', async () => {
  const servers = await Promise.all([0, 1, 2].map(() => startOllamaLoopback({ state: { models: [{ name: 'm1', size: 4e9 }], loaded: [] } })));
  const gpu = (index: number, free: number) => ({ vendor: 'nvidia' as const, index, uuid: null, name: 'GPU', memoryTotalMiB: 81920, memoryUsedMiB: 81920 - free, memoryFreeMiB: free, utilizationPct: 0, source: 'nvidia-smi' as const });
  const { client, ledger } = clientOn('ollama', servers, {}, { gpus: [gpu(0, 1000), gpu(1, 70_000), gpu(2, 30_000)] });
  open.push(...servers, client);
  await client.refresh();
  for (let i = 0; i < 3; i++) await client.complete(request);
  expect(servers.map((s) => s.calls.length)).toEqual([0, 3, 0]);
  expect(ledger[0]!.gpu).toBe('nvidia:1 GPU');
  expect(ledger[0]!.gpu_seconds).toBeGreaterThan(0);
});

it('once every endpoint has asked to wait more than 60 s, requests fail at once without a call', async () => {
  const server = await startOpenAiLoopback({ fault: () => ({ kind: 'status', status: 429, retryAfter: '600' }) });
  const { client } = clientOn('openai', [server]);
  open.push(server, client);
  expect((await failure(client.complete(request))).type).toBe('http_429');
  const next = await failure(client.complete(request));
  expect([next.type, next.retryable]).toEqual(['unavailable', false]);
  expect(server.calls).toHaveLength(1);
});

it('the status shows a cooling endpoint, its failures, its last error and the queue', async () => {
  const a = await startOpenAiLoopback({ fault: () => ({ kind: 'status', status: 503 }) });
  const b = await startOpenAiLoopback();
  const { client } = clientOn('openai', [a, b], {}, { health: { windowMs: 60_000, minRequests: 2, failureRatio: 0.5, cooldownMs: 60_000 } });
  open.push(a, b, client);
  for (let i = 0; i < 2; i++) await client.complete(request);
  const status = await client.status({ gpus: [], tools: [] });
  expect(status.endpoints[0]).toMatchObject({ health: 'cooling', cooldowns: 1, lastError: 'http_503', inFlight: 0, reachable: null });
  expect(status.endpoints[0]!.coolingForMs).toBeGreaterThan(0);
  expect(status.endpoints[1]).toMatchObject({ health: 'ok', recent: { requests: 2, failures: 0 } });
  expect(formatStatus(status)).toMatch(/cooling down \(\d+\.\d s left\); in flight 0\/4; last 60 s: 0 failed of 0; cooldowns 1; last error: http_503/);
});

it('Ollama: a model goes only to the servers that have it, waiting for them rather than getting a 404', async () => {
  const a = await startOllamaLoopback({ latencyMs: 20, state: { models: [{ name: 'm1', size: 4e9 }], loaded: [] } });
  const b = await startOllamaLoopback({ latencyMs: 20, state: { models: [{ name: 'm2', size: 4e9 }], loaded: [] } });
  const { client, ledger } = clientOn('ollama', [a, b], { LLM_MODEL: 'm1,m2' });
  open.push(a, b, client);
  await client.refresh();
  await Promise.all(Array.from({ length: 8 }, () => client.complete(request)));
  expect(ledger.every((r) => r.success)).toBe(true);
  expect(new Set(a.calls.map((c) => c.model))).toEqual(new Set(['m1']));
  expect(new Set(b.calls.map((c) => c.model))).toEqual(new Set(['m2']));
});

it('a 404 fails over to another endpoint and is never retried on the one that said it', async () => {
  const a = await startOllamaLoopback({ state: { models: [{ name: 'other', size: 1 }], loaded: [] } });
  const b = await startOllamaLoopback();
  const { client, ledger } = clientOn('ollama', [a, b]);
  open.push(a, b, client);
  // No model lists read yet: the pool learns from the 404.
  const got = await client.complete(request);
  expect(got.endpoint).toBe(client.endpoints[1]!.url);
  expect(ledger.map((r) => r['error.type'])).toEqual(['http_404', null]);
  const alone = await startOllamaLoopback({ state: { models: [{ name: 'other', size: 1 }], loaded: [] } });
  const single = clientOn('ollama', [alone]);
  open.push(alone, single.client);
  expect((await failure(single.client.complete(request))).type).toBe('http_404');
  expect(alone.calls).toHaveLength(1);
});

it('closing the client stops the calls in flight and refuses new ones', async () => {
  const server = await startOpenAiLoopback({ fault: () => ({ kind: 'stall-after-headers' }) });
  const { client } = clientOn('openai', [server], { OLLAMA_NUM_PARALLEL: '1' });
  open.push(server);
  const running = client.complete(request);
  const queued = client.complete(request);
  await server.waitForCalls(1);
  await client.close();
  expect((await failure(running)).type).toBe('aborted');
  expect((await failure(queued)).type).toBe('closed');
  expect((await failure(client.complete(request))).type).toBe('closed');
  expect(server.calls).toHaveLength(1);
});

it('Ollama without GPU readings: a model not loaded anywhere goes to the server whose loaded models hold the least GPU memory', async () => {
  const busy = await startOllamaLoopback({ state: { models: [{ name: 'm1', size: 4e9 }], loaded: [{ name: 'big:70b', size: 40e9, sizeVram: 40e9 }] } });
  const light = await startOllamaLoopback({ state: { models: [{ name: 'm1', size: 4e9 }], loaded: [{ name: 'small:1b', size: 1e9, sizeVram: 1e9 }] } });
  const { client } = clientOn('ollama', [busy, light]);
  open.push(busy, light, client);
  await client.refresh();
  await client.complete(request);
  expect([busy.calls.length, light.calls.length]).toEqual([0, 1]);
});
