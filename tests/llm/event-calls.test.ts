// How a program's events become LLM call samples: one per response, however often the response is
// seen on its way up, one failed call per error where it was raised, priced from the table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callsFromEvents } from '../../server/src/llm/event-calls.js';
import { Prices } from '../../server/src/llm/prices.js';

let dir: string;
beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-event-calls-'))));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const gen = (tokensIn: number, model = 'gpt-4o-mini') => ({
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': null,
  'gen_ai.response.model': model,
  'gen_ai.usage.input_tokens': tokensIn,
  'gen_ai.usage.output_tokens': 10,
  'gen_ai.response.finish_reasons': ['stop'],
});
let t = 1_700_000_000_000_000_000;
function event(type: string, name: string, cid: string, parent: string | null, extra: Record<string, unknown> = {}) {
  t += 1_000_000;
  return JSON.stringify({ event_type: type, timestamp_ns: t, function_name: name, file: 'app.py', line: 1, correlation_id: cid, parent_correlation_id: parent, trace_id: 'a'.repeat(32), span_id: 'b'.repeat(16), ...extra });
}
const write = (name: string, lines: string[]) => {
  const file = path.join(dir, name);
  fs.writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
};

describe('LLM calls read from events', () => {
  it('counts a response once when a callee returns it and the caller holds it in a variable', async () => {
    const file = write('handed-up.jsonl', [
      event('function_entry', 'main', 'm', null, { args: {}, caller: null }),
      event('function_entry', 'ask', 'a', 'm', { args: {}, caller: 'main' }),
      event('variable_change', 'ask', 'a', 'm', { variable: 'reply', value: '…', gen_ai: gen(100) }),
      event('function_exit', 'ask', 'a', 'm', { duration_ns: 250_000_000, return: '…', gen_ai: gen(100) }),
      event('variable_change', 'main', 'm', null, { variable: 'reply', value: '…', gen_ai: gen(100) }),
      event('function_exit', 'main', 'm', null, { duration_ns: 300_000_000 }),
    ]);
    const { samples } = await callsFromEvents([file], new Prices({ env: {} }));
    expect(samples).toHaveLength(1);
    expect(samples[0]).toMatchObject({ success: true, function: 'ask', durationMs: 250, model: 'gpt-4o-mini', inputTokens: 100, outputTokens: 10 });
    expect(samples[0]!.costUsd).toBeGreaterThan(0);
  });

  it('counts two different responses in one call as two calls', async () => {
    const file = write('two.jsonl', [
      event('function_entry', 'ask', 'a', null, { args: {}, caller: null }),
      event('variable_change', 'ask', 'a', null, { variable: 'first', value: '…', gen_ai: gen(100) }),
      event('variable_change', 'ask', 'a', null, { variable: 'second', value: '…', gen_ai: gen(200) }),
      event('function_exit', 'ask', 'a', null, { duration_ns: 1 }),
    ]);
    expect((await callsFromEvents([file], new Prices({ env: {} }))).samples.map((s) => s.inputTokens)).toEqual([100, 200]);
  });

  it('counts a failed call once where the error was raised, by an SDK error type or in a function that made calls', async () => {
    const boom = { type: 'RateLimitError', message: '429' };
    const file = write('failed.jsonl', [
      event('function_entry', 'main', 'm', null, { args: {}, caller: null }),
      event('function_entry', 'call', 'c', 'm', { args: {}, caller: 'main' }),
      event('function_exit', 'call', 'c', 'm', { duration_ns: 5_000_000, error: boom }),
      event('function_exit', 'main', 'm', null, { duration_ns: 6_000_000, error: boom }),
      event('function_entry', 'ask', 'a1', null, { args: {}, caller: null }),
      event('function_exit', 'ask', 'a1', null, { duration_ns: 1, error: { type: 'Error', message: '500 broken' } }),
      event('function_entry', 'ask', 'a2', null, { args: {}, caller: null }),
      event('function_exit', 'ask', 'a2', null, { duration_ns: 1, return: '…', gen_ai: gen(5) }),
      event('function_entry', 'other', 'o', null, { args: {}, caller: null }),
      event('function_exit', 'other', 'o', null, { duration_ns: 1, error: { type: 'ValueError', message: 'not an LLM call' } }),
      'not json',
    ]);
    const { samples, counts } = await callsFromEvents([file], new Prices({ env: {} }));
    expect(samples.filter((s) => !s.success).map((s) => [s.function, s.errorType])).toEqual([
      ['call', 'RateLimitError'],
      ['ask', 'Error'],
    ]);
    expect(counts.malformed).toBe(1);
  });
});
