// Anthropic messages through the official `@anthropic-ai/sdk`: structured output as one forced
// tool whose input schema is the answer's schema (its input, as JSON text, is the answer), answers
// streamed over SSE. The SDK's own retries are off: the pool is the only retry loop.
import Anthropic from '@anthropic-ai/sdk';
import type { MessageCreateParamsBase } from '@anthropic-ai/sdk/resources/messages';
import { sdkClients, type ProviderAdapter, type ProviderCall, type ProviderResult } from './provider.js';

export function anthropicAdapter(timeoutMs: number): ProviderAdapter {
  const clientFor = sdkClients(timeoutMs, (options) => new Anthropic(options));
  return async (call) => {
    const client = clientFor(call.endpoint, call.apiKey ?? 'none');
    const params = paramsFor(call);
    return call.stream ? streamed(client, params, call) : whole(client, params, call);
  };
}

function paramsFor({ model, request }: ProviderCall): MessageCreateParamsBase {
  const schema = request.schema;
  return {
    model,
    max_tokens: request.maxTokens,
    system: request.system,
    messages: [{ role: 'user', content: request.prompt }],
    ...(schema
      ? {
          tools: [{ name: schema.name, description: 'Give the answer as this tool\'s input.', input_schema: { ...schema.schema, type: 'object' } }],
          tool_choice: { type: 'tool', name: schema.name },
        }
      : {}),
  };
}

async function whole(client: Anthropic, params: MessageCreateParamsBase, call: ProviderCall): Promise<ProviderResult> {
  const message = await client.messages.create({ ...params, stream: false }, { signal: call.signal });
  const tool = message.content.find((b) => b.type === 'tool_use');
  if (tool && tool.type === 'tool_use') call.sink.append(JSON.stringify(tool.input));
  else call.sink.append(message.content.map((b) => (b.type === 'text' ? b.text : '')).join(''));
  return { usage: { inputTokens: message.usage.input_tokens, outputTokens: message.usage.output_tokens }, responseModel: message.model };
}

async function streamed(client: Anthropic, params: MessageCreateParamsBase, call: ProviderCall): Promise<ProviderResult> {
  const stream = await client.messages.create({ ...params, stream: true }, { signal: call.signal });
  let inputTokens = 0;
  let outputTokens = 0;
  let responseModel: string | null = null;
  let stopped = false;
  for await (const event of stream) {
    switch (event.type) {
      case 'message_start':
        responseModel = event.message.model;
        inputTokens = event.message.usage.input_tokens;
        outputTokens = event.message.usage.output_tokens;
        break;
      case 'content_block_delta':
        if (event.delta.type === 'text_delta') call.sink.append(event.delta.text);
        else if (event.delta.type === 'input_json_delta') call.sink.append(event.delta.partial_json);
        break;
      case 'message_delta':
        outputTokens = event.usage.output_tokens;
        break;
      case 'message_stop':
        stopped = true;
        break;
    }
  }
  if (!stopped) throw Object.assign(new Error('the stream ended before the answer finished'), { incomplete: true });
  return { usage: { inputTokens, outputTokens }, responseModel };
}
