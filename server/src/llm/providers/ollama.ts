// Ollama /api/chat through the official `ollama` SDK: structured output as `format` (the JSON
// schema), answers streamed as NDJSON, `num_predict` as the token ceiling. The SDK takes no
// per-request signal, so each call gets a fetch that carries the attempt's signal and keeps the
// response's Retry-After for the pool.
import { Ollama } from 'ollama';
import type { ProviderAdapter, ProviderCall, ProviderResult } from './provider.js';

export function ollamaAdapter(): ProviderAdapter {
  return async (call) => {
    let retryAfter: string | null = null;
    const client = new Ollama({
      host: call.endpoint,
      fetch: async (input, init) => {
        const response = await fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, call.signal]) : call.signal });
        retryAfter = response.headers.get('retry-after');
        return response;
      },
    });
    const { request, model } = call;
    const base = {
      model,
      messages: [
        { role: 'system', content: request.system },
        { role: 'user', content: request.prompt },
      ],
      ...(request.schema ? { format: request.schema.schema } : {}),
      options: { num_predict: request.maxTokens },
    };
    try {
      if (!call.stream) {
        const answer = await client.chat({ ...base, stream: false });
        call.sink.append(answer.message.content);
        return { usage: { inputTokens: answer.prompt_eval_count ?? 0, outputTokens: answer.eval_count ?? 0 }, responseModel: answer.model ?? null };
      }
      const parts = await client.chat({ ...base, stream: true });
      for await (const part of parts) {
        if (part.message?.content) call.sink.append(part.message.content);
        if (part.done) return { usage: { inputTokens: part.prompt_eval_count ?? 0, outputTokens: part.eval_count ?? 0 }, responseModel: part.model ?? null };
      }
      // The SDK skips NDJSON lines it cannot parse; a stream with no `done` line was broken or cut.
      throw Object.assign(new Error('the stream ended before the answer finished'), { incomplete: true });
    } catch (error) {
      // The SDK turns an `{"error": …}` line into a plain Error; fetch's own failures are TypeErrors.
      if (error instanceof Error && error.constructor === Error && !/did not receive done/i.test(error.message) && !('incomplete' in error)) {
        Object.assign(error, { providerError: true });
      }
      if (retryAfter !== null && error && typeof error === 'object') Object.assign(error, { headers: { 'retry-after': retryAfter } });
      throw error;
    }
  };
}
