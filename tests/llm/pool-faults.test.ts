// What the pool does with each fault a server can inject, for each provider's SDK: retry, fail
// over, give up, and which error type the ledger gets.
import { afterEach, describe, expect, it } from 'vitest';
import type { ProviderName } from '../../server/src/llm/types.js';
import { clientOn, failure, request, start } from './harness.js';
import { faultSequence } from './loopback/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

const providers: ProviderName[] = ['openai', 'anthropic', 'ollama'];

describe.each(providers)('%s', (provider) => {
  it('a 429 with Retry-After holds the endpoint that long, then the retry succeeds there', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'status', status: 429, retryAfter: '1' }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    const before = Date.now();
    const got = await client.complete(request);
    expect(got.text).toBe('{"code":"ok"}');
    expect(server.calls).toHaveLength(2);
    // The one lower bound that proves the wait was honoured (it cannot come early).
    expect(Date.now() - before).toBeGreaterThanOrEqual(950);
    expect(ledger.map((r) => r['error.type'])).toEqual(['http_429', null]);
  });

  it('a 429 asking for more than 60 s is not waited for: the request fails over', async () => {
    const a = await start[provider]({ fault: () => ({ kind: 'status', status: 429, retryAfter: '3600' }) });
    const b = await start[provider]();
    const { client, ledger, logs } = clientOn(provider, [a, b]);
    open.push(a, b, client);
    const got = await client.complete(request);
    expect(got.endpoint).toBe(client.endpoints[1]!.url);
    expect(ledger.map((r) => r['error.type'])).toEqual(['http_429', null]);
    expect(logs.join('\n')).toMatch(/asked to wait 3600 s/);
    // Held for everyone: the next request goes straight to b.
    await client.complete(request);
    expect(a.calls).toHaveLength(1);
  });

  it('a 500 is retried on another endpoint', async () => {
    const a = await start[provider]({ fault: () => ({ kind: 'status', status: 500 }) });
    const b = await start[provider]();
    const { client, ledger } = clientOn(provider, [a, b]);
    open.push(a, b, client);
    const got = await client.complete(request);
    expect(got.endpoint).toBe(client.endpoints[1]!.url);
    expect(ledger.map((r) => [r.endpoint, r['error.type']])).toEqual([
      [client.endpoints[0]!.url, 'http_500'],
      [client.endpoints[1]!.url, null],
    ]);
  });

  it('503 three times on the only endpoint gives up after three attempts with http_503', async () => {
    const server = await start[provider]({ fault: () => ({ kind: 'status', status: 503 }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    const error = await failure(client.complete(request));
    expect(error.type).toBe('http_503');
    expect(server.calls).toHaveLength(3);
    expect(ledger.every((r) => !r.success && r['error.type'] === 'http_503')).toBe(true);
  });

  it('a stall before any byte is a first_token_timeout, and the retry succeeds', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'stall' }) });
    const { client, ledger } = clientOn(provider, [server], { LLM_FIRST_TOKEN_TIMEOUT: '1' });
    open.push(server, client);
    await client.complete(request);
    expect(ledger.map((r) => r['error.type'])).toEqual(['first_token_timeout', null]);
  });

  it('headers and then silence is a first_token_timeout too', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'stall-after-headers' }) });
    const { client, ledger } = clientOn(provider, [server], { LLM_FIRST_TOKEN_TIMEOUT: '1' });
    open.push(server, client);
    await client.complete(request);
    expect(ledger.map((r) => r['error.type'])).toEqual(['first_token_timeout', null]);
  });

  it('without streaming, a stall is a request timeout', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'stall' }) });
    const { client, ledger } = clientOn(provider, [server], { LLM_STREAM: '0', LLM_TIMEOUT: '1' });
    open.push(server, client);
    await client.complete(request);
    expect(ledger.map((r) => r['error.type'])).toEqual(['timeout', null]);
  });

  it('a stream cut mid-way is retried and the answer is whole', async () => {
    const server = await start[provider]({ answer: () => JSON.stringify({ code: 'x'.repeat(400) }), fault: faultSequence({ kind: 'cut', after: 2 }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    const got = await client.complete(request);
    expect(JSON.parse(got.text)).toEqual({ code: 'x'.repeat(400) });
    expect(ledger[0]!['error.type']).toMatch(/^(stream_cut|incomplete_stream)$/);
    expect(ledger).toHaveLength(2);
  });

  it('an error sent inside the stream is a stream_error, retried', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'stream-error', message: 'Overloaded' }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    const got = await client.complete(request);
    expect(got.text).toBe('{"code":"ok"}');
    expect(ledger.map((r) => r['error.type'])).toEqual(['stream_error', null]);
  });

  it('without streaming, a body cut mid-way is a stream_cut too, retried', async () => {
    const server = await start[provider]({ answer: () => JSON.stringify({ code: 'x'.repeat(400) }), fault: faultSequence({ kind: 'cut' }) });
    const { client, ledger } = clientOn(provider, [server], { LLM_STREAM: '0' });
    open.push(server, client);
    const got = await client.complete(request);
    expect(JSON.parse(got.text)).toEqual({ code: 'x'.repeat(400) });
    expect(ledger.map((r) => r['error.type'])).toEqual(['stream_cut', null]);
  });

  it('a server that refuses the connection is a connection error, and the request fails over', async () => {
    const gone = await start[provider]();
    await gone.close();
    const b = await start[provider]();
    const { client, ledger } = clientOn(provider, [gone, b]);
    open.push(b, client);
    const got = await client.complete(request);
    expect(got.endpoint).toBe(client.endpoints[1]!.url);
    expect(ledger.map((r) => r['error.type'])).toEqual(['connection', null]);
  });

  it('a body that is not JSON is retried', async () => {
    const server = await start[provider]({ fault: faultSequence({ kind: 'invalid-json' }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    await client.complete(request);
    expect(ledger[0]!['error.type']).toMatch(/^(invalid_json|incomplete_stream)$/);
    expect(ledger[1]!.success).toBe(true);
  });

  it('a huge answer is cut off as answer_too_large and not retried', async () => {
    const server = await start[provider]({ fault: () => ({ kind: 'huge', chars: 2_000_000 }) });
    const { client, ledger } = clientOn(provider, [server]);
    open.push(server, client);
    const error = await failure(client.complete(request));
    expect(error.type).toBe('answer_too_large');
    expect(server.calls).toHaveLength(1);
    expect(ledger.map((r) => r['error.type'])).toEqual(['answer_too_large']);
  });
});
