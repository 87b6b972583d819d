// llmConfig(env, settings): the DESIGN contract's variables, the settings that mirror them (never
// the keys), defaults, and clear errors that name the variable and never echo a key.
import { expect, it } from 'vitest';
import { llmConfig, LlmConfigError } from '../../server/src/llm/config.js';
import { llmClientFor, unconfiguredClient } from '../../server/src/llm/create-client.js';

const configured = (env: Record<string, string>, settings = {}) => {
  const result = llmConfig(env, settings);
  if (!result.configured) throw new Error(result.reason);
  return result.config;
};

it('reads provider, rotated models, endpoints and timeouts from the environment', () => {
  const config = configured({ LLM_PROVIDER: 'Ollama', LLM_MODEL: 'qwen2.5-coder:7b, llama3.1:70b', LLM_BASE_URL: 'http://gpu0:11434, http://gpu1:11434/', LLM_TIMEOUT: '90', OLLAMA_NUM_PARALLEL: '2' });
  expect(config).toEqual({
    provider: 'ollama',
    models: ['qwen2.5-coder:7b', 'llama3.1:70b'],
    endpoints: ['http://gpu0:11434', 'http://gpu1:11434'],
    timeoutMs: 90_000,
    firstTokenTimeoutMs: 10_000,
    parallelPerEndpoint: 2,
    stream: true,
  });
});

it('defaults: 60 s per request, 10 s to the first token, one request per Ollama server, the SDK endpoint', () => {
  const ollama = configured({ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm' });
  expect([ollama.timeoutMs, ollama.firstTokenTimeoutMs, ollama.parallelPerEndpoint, ollama.endpoints]).toEqual([60_000, 10_000, 1, ['http://127.0.0.1:11434']]);
  expect(configured({ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', OLLAMA_HOST: '10.0.0.5:11434' }).endpoints).toEqual(['http://10.0.0.5:11434']);
  const openai = configured({ LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4.1-mini', OPENAI_API_KEY: 'sk-1' });
  expect([openai.endpoints, openai.apiKey]).toEqual([['https://api.openai.com/v1'], 'sk-1']);
});

it('settings hold the same values and win over the environment; keys come only from the environment', () => {
  const config = configured(
    { LLM_PROVIDER: 'openai', LLM_MODEL: 'env-model', ANTHROPIC_API_KEY: 'sk-ant-1' },
    { provider: 'anthropic', model: ['a', 'b'], baseUrl: 'http://127.0.0.1:9000', timeout: 30, firstTokenTimeout: '2.5', parallelPerEndpoint: 3, stream: false },
  );
  expect(config).toMatchObject({ provider: 'anthropic', models: ['a', 'b'], endpoints: ['http://127.0.0.1:9000'], apiKey: 'sk-ant-1', timeoutMs: 30_000, firstTokenTimeoutMs: 2500, parallelPerEndpoint: 3, stream: false });
});

it('nothing configured, or a hosted API without its key, is "not configured" with the reason', () => {
  expect(llmConfig({})).toEqual({ configured: false, reason: expect.stringContaining('set LLM_PROVIDER') });
  expect(llmConfig({ LLM_PROVIDER: 'openai' })).toEqual({ configured: false, reason: expect.stringContaining('LLM_MODEL') });
  expect(llmConfig({ LLM_PROVIDER: 'anthropic', LLM_MODEL: 'claude' })).toEqual({ configured: false, reason: expect.stringContaining('ANTHROPIC_API_KEY is not set') });
  // A self-hosted compatible server needs no key.
  expect(configured({ LLM_PROVIDER: 'openai', LLM_MODEL: 'local', LLM_BASE_URL: 'http://127.0.0.1:8000/v1' }).apiKey).toBe('none');
});

it.each([
  [{ LLM_PROVIDER: 'gemini', LLM_MODEL: 'm' }, /LLM_PROVIDER: unknown provider "gemini"/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: ' , ' }, /LLM_MODEL: no model names/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_BASE_URL: 'ftp://host' }, /LLM_BASE_URL: "ftp:\/\/host" is not an http or https URL/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_BASE_URL: 'http://a:1,http://a:1' }, /listed twice/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_TIMEOUT: '-3' }, /LLM_TIMEOUT: "-3" is not a positive duration/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_FIRST_TOKEN_TIMEOUT: '0' }, /LLM_FIRST_TOKEN_TIMEOUT/],
  [{ LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', OLLAMA_NUM_PARALLEL: '1.5' }, /OLLAMA_NUM_PARALLEL: "1.5" is not a positive whole number/],
])('a bad value throws a clear error: %o', (env, message) => {
  expect(() => llmConfig(env)).toThrow(LlmConfigError);
  expect(() => llmConfig(env)).toThrow(message);
});

it('a bad setting is named as the setting', () => {
  expect(() => llmConfig({}, { provider: 'ollama', model: 'm', timeout: 'later' })).toThrow(/setting telemetryInjector.llm.timeout: "later"/);
});

it('a key in the URL is refused, and the error does not repeat it', () => {
  let message = '';
  try {
    llmConfig({ LLM_PROVIDER: 'openai', LLM_MODEL: 'm', LLM_BASE_URL: 'https://user:sk-hidden@host/v1' });
  } catch (error) {
    message = (error as Error).message;
  }
  expect(message).toMatch(/credentials/);
  expect(message).not.toContain('sk-hidden');
});

it('with no provider, the client says why and refuses calls without trying', async () => {
  const result = llmConfig({});
  if (result.configured) throw new Error('expected no provider');
  const client = unconfiguredClient(result.reason);
  expect(client.describe()).toEqual({ configured: false, reason: result.reason });
  await expect(client.complete({ purpose: 'plan', system: '', prompt: '', maxTokens: 1 })).rejects.toMatchObject({ type: 'not_configured', retryable: false });
});

it('llmClientFor gives the pool when configured and the reason when not', async () => {
  const pool = llmClientFor({ LLM_PROVIDER: 'openai', LLM_MODEL: 'a,b', LLM_BASE_URL: 'http://127.0.0.1:1/v1,http://127.0.0.1:2/v1', OLLAMA_NUM_PARALLEL: '3' });
  expect(pool.describe()).toEqual({ configured: true, provider: 'openai', models: ['a', 'b'], endpoints: ['http://127.0.0.1:1/v1', 'http://127.0.0.1:2/v1'], capacity: 6 });
  await pool.close();
  expect(llmClientFor({}).describe()).toMatchObject({ configured: false });
});
