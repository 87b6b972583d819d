// A loopback OpenAI chat-completions server (`POST …/chat/completions`): plain JSON answers, SSE
// streams with `stream_options.include_usage`, and `response_format` json_schema read back for tests.
import type { ServerResponse } from 'node:http';
import { chunksOf, sendWhole, startLoopback, streamChunks, tokenCount, type Loopback, type LoopbackCall, type LoopbackOptions, type WireProtocol } from './server.js';

interface Message {
  role: string;
  content: string;
}

const wire: WireProtocol = {
  isModelCall: (path) => path.endsWith('/chat/completions'),
  read(_path, body) {
    const messages = (body.messages ?? []) as Message[];
    const format = body.response_format as { type?: string; json_schema?: { schema?: unknown } } | undefined;
    return {
      model: String(body.model),
      system: messages.filter((m) => m.role === 'system' || m.role === 'developer').map((m) => m.content).join('\n'),
      prompt: messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'),
      stream: body.stream === true,
      schema: format?.type === 'json_schema' ? format.json_schema?.schema : undefined,
    };
  },
  errorBody: (status, message = `loopback status ${status}`) => ({ error: { message, type: status === 429 ? 'rate_limit_exceeded' : 'server_error', code: null } }),
  contentType: (call) => (call.stream ? 'text/event-stream' : 'application/json'),
  answer(res, call, text, model, cut) {
    const usage = { prompt_tokens: tokenCount(call.system + call.prompt), completion_tokens: tokenCount(text) };
    const base = { id: `chatcmpl-${call.index}`, created: Math.floor(Date.now() / 1000), model };
    if (!call.stream) {
      const body = JSON.stringify({
        ...base,
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: text, refusal: null }, finish_reason: 'stop', logprobs: null }],
        usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
      });
      sendWhole(res, body, cut);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const event = (data: unknown) => res.write(`data: ${JSON.stringify(data)}\n\n`);
    const chunk = (delta: Record<string, unknown>, finish: string | null) =>
      event({ ...base, object: 'chat.completion.chunk', choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }] });
    chunk({ role: 'assistant', content: '' }, null);
    const includeUsage = (call.body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    streamChunks(
      res,
      chunksOf(text),
      (piece) => chunk({ content: piece }, null),
      () => {
        chunk({}, 'stop');
        if (includeUsage) event({ ...base, object: 'chat.completion.chunk', choices: [], usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens } });
        res.end('data: [DONE]\n\n');
      },
      cut,
    );
  },
  streamError(res, call, model, message) {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const base = { id: `chatcmpl-${call.index}`, created: Math.floor(Date.now() / 1000), model, object: 'chat.completion.chunk' };
    res.write(`data: ${JSON.stringify({ ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '{"co' }, finish_reason: null }] })}\n\n`);
    res.end(`data: ${JSON.stringify({ error: { message, type: 'server_error', code: null } })}\n\n`);
  },
  invalidJson(res: ServerResponse, call: LoopbackCall) {
    if (call.stream) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end('data: {"id": "chatcmpl-broken", "choices": [\n\n');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"id": "chatcmpl-broken", "choices": [');
  },
};

/** Starts an OpenAI-compatible server; its `url` ends in `/v1`, as the SDK's baseURL expects. */
export async function startOpenAiLoopback(options: LoopbackOptions = {}): Promise<Loopback> {
  const loopback = await startLoopback(wire, options);
  return { ...loopback, url: `${loopback.url}/v1` };
}
