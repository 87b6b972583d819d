// An LlmClient (the shared contract of server/src/llm/types.ts) whose answers a test scripts: for
// proposal-loop tests that are about the loop, not the wire. The providers' own tests drive the
// real SDKs against loopback servers.
import type { LlmAnswer, LlmClient, LlmRequest } from '../../../server/src/llm/types.js';

export class ScriptedClient implements LlmClient {
  readonly requests: LlmRequest[] = [];

  constructor(private readonly answer: (request: LlmRequest, index: number) => string, private readonly model = 'scripted-1') {}

  async complete(request: LlmRequest): Promise<LlmAnswer> {
    this.requests.push(request);
    const text = this.answer(request, this.requests.length - 1);
    return {
      text,
      usage: { inputTokens: request.prompt.length >> 2, outputTokens: text.length >> 2 },
      provider: 'openai',
      requestModel: this.model,
      responseModel: this.model,
      endpoint: 'http://127.0.0.1:1/v1',
      durationMs: 1,
      costUsd: 0.001,
    };
  }

  describe() {
    return { configured: true as const, provider: 'openai' as const, models: [this.model], endpoints: ['http://127.0.0.1:1/v1'], capacity: 2 };
  }

  async close(): Promise<void> {}
}
