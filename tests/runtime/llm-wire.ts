// A loopback server that answers as OpenAI (POST /v1/chat/completions), Anthropic (POST
// /v1/messages) and Ollama (POST /api/chat) do, without streaming, so that programs using the real
// SDKs get real response objects. A request for the model "broken" gets a 500.
// Must never listen beyond 127.0.0.1.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export const WIRE = {
  openai: { model: 'gpt-4o-mini-2024-07-18', input: 12, output: 5, finish: 'stop' },
  anthropic: { model: 'claude-haiku-4-5-20251001', input: 20, output: 7, finish: 'end_turn' },
  ollama: { model: 'llama3.2:3b', input: 30, output: 9, finish: 'stop' },
} as const;

export interface Wire {
  base: string;
  /** Request paths in arrival order. */
  requests: string[];
  close(): Promise<void>;
}

export async function startWire(): Promise<Wire> {
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      requests.push(`${req.method} ${req.url}`);
      let model = '';
      try {
        model = String(JSON.parse(body).model ?? '');
      } catch {}
      const send = (status: number, value: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(value));
      };
      if (model === 'broken') return send(500, { error: { message: 'the model is broken', type: 'server_error' } });
      if (req.url?.endsWith('/chat/completions')) {
        const w = WIRE.openai;
        return send(200, {
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 1733300000,
          model: w.model,
          choices: [{ index: 0, message: { role: 'assistant', content: 'hello from openai' }, finish_reason: w.finish, logprobs: null }],
          usage: { prompt_tokens: w.input, completion_tokens: w.output, total_tokens: w.input + w.output },
        });
      }
      if (req.url?.endsWith('/messages')) {
        const w = WIRE.anthropic;
        return send(200, {
          id: 'msg_1',
          type: 'message',
          role: 'assistant',
          model: w.model,
          content: [{ type: 'text', text: 'hello from anthropic' }],
          stop_reason: w.finish,
          stop_sequence: null,
          usage: { input_tokens: w.input, output_tokens: w.output },
        });
      }
      if (req.url === '/api/chat') {
        const w = WIRE.ollama;
        return send(200, {
          model: w.model,
          created_at: '2026-12-04T00:00:00Z',
          message: { role: 'assistant', content: 'hello from ollama' },
          done: true,
          done_reason: w.finish,
          total_duration: 1000,
          prompt_eval_count: w.input,
          eval_count: w.output,
        });
      }
      send(404, { error: 'not found' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
