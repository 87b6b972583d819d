// Shared set-up for the pool tests: loopback servers of one provider, a client configured on them
// with short timeouts, and the ledger lines the client reported.
import { llmConfig, type LlmConfig } from '../../server/src/llm/config.js';
import { createLlmClient, type ClientOptions } from '../../server/src/llm/create-client.js';
import type { LedgerRecord, LlmRequest, ProviderName } from '../../server/src/llm/types.js';
import { startAnthropicLoopback, startOllamaLoopback, startOpenAiLoopback, type Loopback, type LoopbackOptions } from './loopback/index.js';

export const request: LlmRequest = {
  purpose: 'plan',
  system: 'You add telemetry probes.',
  prompt: 'def f():\n    return 1\n',
  schema: { name: 'instrumented', schema: { type: 'object', properties: { code: { type: 'string' } }, required: ['code'], additionalProperties: false } },
  maxTokens: 256,
  attempt: 1,
};

export const start: Record<ProviderName, (options?: LoopbackOptions) => Promise<Loopback>> = {
  openai: startOpenAiLoopback,
  anthropic: startAnthropicLoopback,
  ollama: startOllamaLoopback,
};

export function configOn(provider: ProviderName, servers: Loopback[], env: Record<string, string> = {}): LlmConfig {
  const result = llmConfig({
    LLM_PROVIDER: provider,
    LLM_MODEL: 'm1',
    LLM_BASE_URL: servers.map((s) => s.url).join(','),
    OPENAI_API_KEY: 'sk-test-key',
    ANTHROPIC_API_KEY: 'sk-ant-test',
    // Generous: a loaded CI machine must not turn a slow answer into a timeout. Tests of the
    // timeouts set their own.
    LLM_TIMEOUT: '20',
    LLM_FIRST_TOKEN_TIMEOUT: '10',
    ...env,
  });
  if (!result.configured) throw new Error(result.reason);
  return result.config;
}

/** A client on the servers with fast backoff (the policy's shape, not its 0.5 s scale, is under test). */
export function clientOn(provider: ProviderName, servers: Loopback[], env: Record<string, string> = {}, options: ClientOptions = {}) {
  const ledger: LedgerRecord[] = [];
  const logs: string[] = [];
  const client = createLlmClient(configOn(provider, servers, env), {
    inventoryRefreshMs: 0,
    gpus: [],
    backoff: { baseMs: 10, capMs: 80, maxRetryAfterMs: 60_000 },
    observer: { record: (r) => ledger.push(r) },
    log: (m) => logs.push(m),
    ...options,
  });
  return { client, ledger, logs };
}

/** The error a promise rejects with (fails the test if it resolves). */
export async function failure(promise: Promise<unknown>): Promise<Error & { type?: string; retryable?: boolean }> {
  try {
    await promise;
  } catch (error) {
    return error as Error & { type?: string };
  }
  throw new Error('expected the call to fail');
}
