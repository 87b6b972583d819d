// OpenAI chat completions through the official `openai` SDK: structured output as
// `response_format` json_schema, answers streamed over SSE with `stream_options.include_usage`.
// The SDK's own retries are off: the pool is the only retry loop.
import OpenAI from 'openai';
import type { ChatCompletionCreateParamsBase } from 'openai/resources/chat/completions';
import { sdkClients, type ProviderAdapter, type ProviderCall, type ProviderResult } from './provider.js';

export function openAiAdapter(timeoutMs: number): ProviderAdapter {
  const clientFor = sdkClients(timeoutMs, (options) => new OpenAI(options));
  return async (call) => {
    const client = clientFor(call.endpoint, call.apiKey ?? 'none');
    const params = paramsFor(call);
    return call.stream ? streamed(client, params, call) : whole(client, params, call);
  };
}

function paramsFor({ model, request }: ProviderCall): ChatCompletionCreateParamsBase {
  const schema = request.schema;
  return {
    model,
    messages: [
      { role: 'system', content: request.system },
      { role: 'user', content: request.prompt },
    ],
    max_completion_tokens: request.maxTokens,
    ...(schema
      ? {
          response_format: {
            type: 'json_schema',
            // Strict mode rejects schemas that allow extra properties; ask for it only when it holds.
            json_schema: { name: schema.name, schema: schema.schema, strict: schema.schema.additionalProperties === false },
          },
        }
      : {}),
  };
}

async function whole(client: OpenAI, params: ChatCompletionCreateParamsBase, call: ProviderCall): Promise<ProviderResult> {
  const completion = await client.chat.completions.create({ ...params, stream: false }, { signal: call.signal });
  call.sink.append(completion.choices[0]?.message?.content ?? '');
  const usage = completion.usage;
  return {
    usage: usage ? { inputTokens: usage.prompt_tokens, outputTokens: usage.completion_tokens } : null,
    responseModel: completion.model ?? null,
  };
}

async function streamed(client: OpenAI, params: ChatCompletionCreateParamsBase, call: ProviderCall): Promise<ProviderResult> {
  const stream = await client.chat.completions.create(
    { ...params, stream: true, stream_options: { include_usage: true } },
    { signal: call.signal },
  );
  let usage: ProviderResult['usage'] = null;
  let responseModel: string | null = null;
  let finished = false;
  for await (const chunk of stream) {
    responseModel ??= chunk.model ?? null;
    const choice = chunk.choices[0];
    const piece = choice?.delta?.content;
    if (piece) call.sink.append(piece);
    if (choice?.finish_reason) finished = true;
    if (chunk.usage) usage = { inputTokens: chunk.usage.prompt_tokens, outputTokens: chunk.usage.completion_tokens };
  }
  // A stream that ends without a finish reason was cut, even if the socket closed cleanly.
  if (!finished) throw Object.assign(new Error('the stream ended before the answer finished'), { incomplete: true });
  return { usage, responseModel };
}
