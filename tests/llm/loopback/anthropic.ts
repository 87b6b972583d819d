// A loopback Anthropic messages server (`POST /v1/messages`): plain JSON and SSE streams, answering
// with a tool_use block when the request forces a tool (structured output), else with text.
import type { ServerResponse } from 'node:http';
import { chunksOf, sendWhole, startLoopback, streamChunks, tokenCount, type Loopback, type LoopbackCall, type LoopbackOptions, type WireProtocol } from './server.js';

interface Message {
  role: string;
  content: string | { type: string; text?: string }[];
}

const text = (content: Message['content']) =>
  typeof content === 'string' ? content : content.map((c) => c.text ?? '').join('');

function forcedTool(body: Record<string, unknown>): { name: string; input_schema: unknown } | undefined {
  const choice = body.tool_choice as { type?: string; name?: string } | undefined;
  const tools = (body.tools ?? []) as { name: string; input_schema: unknown }[];
  return choice?.type === 'tool' ? tools.find((t) => t.name === choice.name) : undefined;
}

const errorTypes: Record<number, string> = { 429: 'rate_limit_error', 500: 'api_error', 503: 'overloaded_error', 529: 'overloaded_error' };

const wire: WireProtocol = {
  isModelCall: (path) => path.endsWith('/v1/messages'),
  read(_path, body) {
    const system = body.system;
    return {
      model: String(body.model),
      system: typeof system === 'string' ? system : Array.isArray(system) ? system.map((s: { text?: string }) => s.text ?? '').join('\n') : '',
      prompt: ((body.messages ?? []) as Message[]).filter((m) => m.role === 'user').map((m) => text(m.content)).join('\n'),
      stream: body.stream === true,
      schema: forcedTool(body)?.input_schema,
    };
  },
  errorBody: (status, message = `loopback status ${status}`) => ({ type: 'error', error: { type: errorTypes[status] ?? 'invalid_request_error', message } }),
  contentType: (call) => (call.stream ? 'text/event-stream' : 'application/json'),
  answer(res, call, answer, model, cut) {
    const tool = forcedTool(call.body);
    const inputTokens = tokenCount(call.system + call.prompt);
    const outputTokens = tokenCount(answer);
    const id = `msg_${call.index}`;
    const stopReason = tool ? 'tool_use' : 'end_turn';
    if (!call.stream) {
      let input: unknown = {};
      try {
        input = JSON.parse(answer);
      } catch {
        input = { text: answer };
      }
      const content = tool ? [{ type: 'tool_use', id: `toolu_${call.index}`, name: tool.name, input }] : [{ type: 'text', text: answer }];
      const body = JSON.stringify({ id, type: 'message', role: 'assistant', model, content, stop_reason: stopReason, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: outputTokens } });
      sendWhole(res, body, cut);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', { message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: inputTokens, output_tokens: 1 } } });
    event('content_block_start', { index: 0, content_block: tool ? { type: 'tool_use', id: `toolu_${call.index}`, name: tool.name, input: {} } : { type: 'text', text: '' } });
    streamChunks(
      res,
      chunksOf(answer),
      (piece) => event('content_block_delta', { index: 0, delta: tool ? { type: 'input_json_delta', partial_json: piece } : { type: 'text_delta', text: piece } }),
      () => {
        event('content_block_stop', { index: 0 });
        event('message_delta', { delta: { stop_reason: stopReason, stop_sequence: null }, usage: { output_tokens: outputTokens } });
        event('message_stop', {});
        res.end();
      },
      cut,
    );
  },
  streamError(res, call, model, message) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const event = (type: string, data: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
    event('message_start', { message: { id: `msg_${call.index}`, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 10, output_tokens: 1 } } });
    event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
    event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: '{"co' } });
    event('error', { error: { type: 'overloaded_error', message } });
    res.end();
  },
  invalidJson(res: ServerResponse, call: LoopbackCall) {
    if (call.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('event: message_start\ndata: {"type": "message_start", "message": {\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "msg_broken", "content": [');
  },
};

/** Starts an Anthropic-compatible server; its `url` is the SDK's baseURL (the SDK adds /v1/messages). */
export function startAnthropicLoopback(options: LoopbackOptions = {}): Promise<Loopback> {
  return startLoopback(wire, options);
}
