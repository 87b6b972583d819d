// A loopback Ollama server: `/api/chat` (NDJSON stream or one JSON object, `format` read back for
// tests), `/api/tags` (models on disk) and `/api/ps` (models loaded, with `size_vram`).
import type { ServerResponse } from 'node:http';
import { chunksOf, sendWhole, startLoopback, streamChunks, tokenCount, type Loopback, type LoopbackCall, type LoopbackOptions, type WireProtocol } from './server.js';

export interface OllamaModel {
  name: string;
  /** Bytes the model takes. */
  size: number;
  /** For loaded models: bytes in GPU memory; less than `size` means partly on the CPU. */
  sizeVram?: number;
}

/** What the server reports; tests may change it while the server runs. */
export interface OllamaState {
  models: OllamaModel[];
  loaded: OllamaModel[];
}

export interface OllamaLoopback extends Loopback {
  state: OllamaState;
}

interface Message {
  role: string;
  content: string;
}

const details = { parent_model: '', format: 'gguf', family: 'llama', families: ['llama'], parameter_size: '8B', quantization_level: 'Q4_K_M' };

function wireFor(state: OllamaState): WireProtocol {
  const json = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  return {
    route(req, res) {
      const path = new URL(req.url ?? '/', 'http://loopback').pathname;
      if (req.method === 'GET' && path === '/api/tags') {
        json(res, { models: state.models.map((m) => ({ name: m.name, model: m.name, modified_at: new Date(0).toISOString(), size: m.size, digest: `sha256:${m.name}`, details })) });
        return true;
      }
      if (req.method === 'GET' && path === '/api/ps') {
        const expires = new Date(Date.now() + 300_000).toISOString();
        json(res, { models: state.loaded.map((m) => ({ name: m.name, model: m.name, size: m.size, digest: `sha256:${m.name}`, details, expires_at: expires, size_vram: m.sizeVram ?? m.size })) });
        return true;
      }
      return false;
    },
    isModelCall: (path) => path === '/api/chat',
    // As Ollama does, when the model is not on disk; a server set up with no model list has them all.
    refuse(res, call) {
      const name = (n: string) => (n.includes(':') ? n : `${n}:latest`);
      if (state.models.length === 0 || state.models.some((m) => name(m.name) === name(call.model))) return false;
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: `model "${call.model}" not found, try pulling it first` }));
      return true;
    },
    read(_path, body) {
      const messages = (body.messages ?? []) as Message[];
      return {
        model: String(body.model),
        system: messages.filter((m) => m.role === 'system').map((m) => m.content).join('\n'),
        prompt: messages.filter((m) => m.role === 'user').map((m) => m.content).join('\n'),
        // Ollama streams unless told not to.
        stream: body.stream !== false,
        schema: body.format,
      };
    },
    errorBody: (status, message = `loopback status ${status}`) => ({ error: message }),
    contentType: (call) => (call.stream ? 'application/x-ndjson' : 'application/json'),
    answer(res, call, text, model, cut) {
      const created = new Date().toISOString();
      const done = {
        model,
        created_at: created,
        message: { role: 'assistant', content: '' },
        done: true,
        done_reason: 'stop',
        total_duration: 1_000_000,
        load_duration: 1000,
        prompt_eval_count: tokenCount(call.system + call.prompt),
        prompt_eval_duration: 1000,
        eval_count: tokenCount(text),
        eval_duration: 1000,
      };
      if (!call.stream) {
        const body = JSON.stringify({ ...done, message: { role: 'assistant', content: text } });
        sendWhole(res, body, cut);
        return;
      }
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      streamChunks(
        res,
        chunksOf(text),
        (piece) => res.write(`${JSON.stringify({ model, created_at: created, message: { role: 'assistant', content: piece }, done: false })}\n`),
        () => res.end(`${JSON.stringify(done)}\n`),
        cut,
      );
    },
    streamError(res, _call, model, message) {
      res.writeHead(200, { 'content-type': 'application/x-ndjson' });
      res.write(`${JSON.stringify({ model, created_at: new Date().toISOString(), message: { role: 'assistant', content: '{"co' }, done: false })}\n`);
      res.end(`${JSON.stringify({ error: message })}\n`);
    },
    invalidJson(res: ServerResponse, call: LoopbackCall) {
      res.writeHead(200, { 'content-type': call.stream ? 'application/x-ndjson' : 'application/json' });
      res.end('{"model": "broken", "message": {\n');
    },
  };
}

/** Starts an Ollama-compatible server; by default `model` is on disk and loaded fully on the GPU. */
export async function startOllamaLoopback(options: LoopbackOptions & { state?: Partial<OllamaState> } = {}): Promise<OllamaLoopback> {
  const state: OllamaState = { models: options.state?.models ?? [], loaded: options.state?.loaded ?? [] };
  const loopback = await startLoopback(wireFor(state), options);
  return { ...loopback, state };
}
