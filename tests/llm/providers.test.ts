// Each provider's official SDK against its loopback server: the request it sends (model, system,
// prompt, structured-output schema, streaming) and the answer and usage it reads back.
import { afterEach, describe, expect, it } from 'vitest';
import { llmConfig, type LlmConfig } from '../../server/src/llm/config.js';
import { createLlmClient } from '../../server/src/llm/create-client.js';
import type { LedgerRecord, LlmRequest } from '../../server/src/llm/types.js';
import { startAnthropicLoopback, startOllamaLoopback, startOpenAiLoopback, type Loopback } from './loopback/index.js';

const request: LlmRequest = {
  purpose: 'plan',
  system: 'You add telemetry probes.',
  prompt: 'def f():\n    return 1\n',
  schema: { name: 'instrumented', schema: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'], additionalProperties: false } },
  maxTokens: 512,
  functionId: 'a.py::f::function',
  file: 'a.py',
  attempt: 1,
};

const answer = JSON.stringify({ code: 'def f():\n    probe()\n    return 1\n' });
const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

function configFor(provider: string, server: Loopback, extra: Record<string, string> = {}): LlmConfig {
  const result = llmConfig({ LLM_PROVIDER: provider, LLM_MODEL: 'small-model', LLM_BASE_URL: server.url, OPENAI_API_KEY: 'sk-test-key', ANTHROPIC_API_KEY: 'sk-ant-test', ...extra });
  if (!result.configured) throw new Error(result.reason);
  return result.config;
}

for (const stream of [true, false]) {
  describe(`with streaming ${stream ? 'on' : 'off'}`, () => {
    it('the OpenAI SDK sends the json_schema response format and reads the answer and usage', async () => {
      const server = await startOpenAiLoopback({ answer: () => answer, responseModel: 'small-model-2025' });
      const records: LedgerRecord[] = [];
      const client = createLlmClient(configFor('openai', server, { LLM_STREAM: stream ? '1' : '0' }), { observer: { record: (r) => records.push(r) } });
      open.push(server, client);
      const got = await client.complete(request);
      expect(got.text).toBe(answer);
      expect(got.usage.outputTokens).toBeGreaterThan(0);
      expect(got.responseModel).toBe('small-model-2025');
      const call = server.calls[0]!;
      expect(call.stream).toBe(stream);
      if (stream) expect(call.body.stream_options).toEqual({ include_usage: true });
      expect(call.schema).toEqual(request.schema!.schema);
      expect(call.system).toBe(request.system);
      expect(call.prompt).toBe(request.prompt);
      expect(call.headers.authorization).toBe('Bearer sk-test-key');
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ success: true, 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': 'small-model', 'gen_ai.response.model': 'small-model-2025', function_id: 'a.py::f::function' });
    });

    it('the Anthropic SDK forces a tool whose input is the answer', async () => {
      const server = await startAnthropicLoopback({ answer: () => answer });
      const client = createLlmClient(configFor('anthropic', server, { LLM_STREAM: stream ? '1' : '0' }));
      open.push(server, client);
      const got = await client.complete(request);
      expect(JSON.parse(got.text)).toEqual(JSON.parse(answer));
      expect(got.usage.inputTokens).toBeGreaterThan(0);
      const call = server.calls[0]!;
      expect(call.stream).toBe(stream);
      expect(call.body.tool_choice).toEqual({ type: 'tool', name: 'instrumented' });
      expect(call.headers['x-api-key']).toBe('sk-ant-test');
    });

    it('the Ollama SDK sends the schema as format and reads the counts', async () => {
      const server = await startOllamaLoopback({ answer: () => answer });
      const client = createLlmClient(configFor('ollama', server, { LLM_STREAM: stream ? '1' : '0' }), { inventoryRefreshMs: 0 });
      open.push(server, client);
      const got = await client.complete(request);
      expect(got.text).toBe(answer);
      expect(got.usage).toEqual({ inputTokens: expect.any(Number), outputTokens: expect.any(Number) });
      expect(got.costUsd).toBe(0);
      const call = server.calls[0]!;
      expect(call.stream).toBe(stream);
      expect(call.schema).toEqual(request.schema!.schema);
      expect(call.body.options).toEqual({ num_predict: 512 });
    });
  });
}

it('a strong request goes to the last model of the rotation, others rotate', async () => {
  const server = await startOpenAiLoopback();
  const client = createLlmClient(configFor('openai', server, { LLM_MODEL: 'a, b, strong' }));
  open.push(server, client);
  for (let i = 0; i < 3; i++) await client.complete(request);
  await client.complete({ ...request, strong: true });
  expect(server.calls.map((c) => c.model)).toEqual(['a', 'b', 'strong', 'strong']);
});

describe.each(['openai', 'anthropic', 'ollama'] as const)('%s without a schema', (provider) => {
  it.each([true, false])('answers in plain text (streaming %s)', async (stream) => {
    const start = { openai: startOpenAiLoopback, anthropic: startAnthropicLoopback, ollama: startOllamaLoopback }[provider];
    const server = await start({ answer: () => '```python\ndef f():\n    return 1\n```' });
    const client = createLlmClient(configFor(provider, server, { LLM_STREAM: stream ? '1' : '0' }), { inventoryRefreshMs: 0, gpus: [] });
    open.push(server, client);
    const got = await client.complete({ ...request, schema: undefined });
    expect(got.text).toBe('```python\ndef f():\n    return 1\n```');
    const call = server.calls[0]!;
    expect(call.schema).toBeUndefined();
    expect(call.body.response_format ?? call.body.tools ?? call.body.format).toBeUndefined();
  });
});
