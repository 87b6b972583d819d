// The loopback servers' shared machinery: an HTTP server on 127.0.0.1:0, the record of every call,
// scripted answers and injected faults. The provider files (openai.ts, anthropic.ts, ollama.ts) own
// their wire formats; this file owns only what all three do alike. Never listens beyond loopback.
import { EventEmitter } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the loopback saw it, in provider-neutral terms. */
export interface LoopbackCall {
  index: number;
  path: string;
  body: Record<string, unknown>;
  model: string;
  system: string;
  prompt: string;
  stream: boolean;
  /** The structured-output schema the client asked for, when it asked. */
  schema: unknown;
  headers: IncomingMessage['headers'];
}

export type Fault =
  /** An HTTP error in the provider's own error shape; `retryAfter` is sent as the header verbatim. */
  | { kind: 'status'; status: number; retryAfter?: string; message?: string }
  /** Accepts the request and never answers (not even headers). */
  | { kind: 'stall' }
  /** Sends the response headers, then nothing: the first token never comes. */
  | { kind: 'stall-after-headers' }
  /** Streams `after` chunks (default 2) of the answer, then destroys the socket. */
  | { kind: 'cut'; after?: number }
  /** Streams one chunk, then the provider's own in-stream error (Anthropic's overloaded_error event…); a 500 when not streaming. */
  | { kind: 'stream-error'; message?: string }
  /** A 200 whose body (or stream event) is not JSON. */
  | { kind: 'invalid-json' }
  /** An answer of `chars` characters instead of the scripted one. */
  | { kind: 'huge'; chars: number }
  /** Answers normally after `ms` (a slow model; the bench's fixed latency). */
  | { kind: 'delay'; ms: number };

export interface LoopbackOptions {
  /** The model's text for a call; default `{"code":"ok"}`. */
  answer?: (call: LoopbackCall) => string;
  /** The fault for a call, if any (see `faultSequence`). */
  fault?: (call: LoopbackCall) => Fault | undefined;
  /** Fixed latency added to every call that has no fault of its own. */
  latencyMs?: number;
  /** The response model reported; default the requested one. */
  responseModel?: string;
}

export interface Loopback {
  /** The base URL a client is configured with (`LLM_BASE_URL`). */
  url: string;
  calls: LoopbackCall[];
  /** Requests being answered now, and the most there ever were at once. */
  inFlight(): number;
  maxInFlight(): number;
  /** Resolves once `n` calls have arrived (a real signal for tests to wait on). */
  waitForCalls(n: number): Promise<void>;
  close(): Promise<void>;
}

/** Faults by call index: the i-th call gets `faults[i]`, later calls none. */
export function faultSequence(...faults: (Fault | undefined)[]): (call: LoopbackCall) => Fault | undefined {
  return (call) => faults[call.index];
}

/** What a provider file gives the shared server: how to read a request and how to answer it. */
export interface WireProtocol {
  /** Handles non-model routes (Ollama's /api/tags…); returns true when it answered. */
  route?(req: IncomingMessage, res: ServerResponse): boolean;
  /** Answers a model call the server cannot serve (a model it does not have); true when it did. */
  refuse?(res: ServerResponse, call: LoopbackCall): boolean;
  isModelCall(path: string): boolean;
  read(path: string, body: Record<string, unknown>): Omit<LoopbackCall, 'index' | 'path' | 'body' | 'headers'>;
  errorBody(status: number, message?: string): unknown;
  /** Writes a complete answer (streamed or not). */
  answer(res: ServerResponse, call: LoopbackCall, text: string, model: string, cut?: number): void;
  /** Writes a 200 stream that breaks off with the provider's in-stream error. */
  streamError(res: ServerResponse, call: LoopbackCall, model: string, message: string): void;
  /** Writes a 200 whose body is broken. */
  invalidJson(res: ServerResponse, call: LoopbackCall): void;
  /** The response headers for this call (the stall-after-headers fault sends only these). */
  contentType(call: LoopbackCall): string;
}

export function tokenCount(text: string): number {
  return Math.max(1, Math.ceil(text.length / 4));
}

/** Splits an answer into stream chunks: a handful for short answers, 64 KiB pieces for huge ones. */
export function chunksOf(text: string): string[] {
  const size = Math.max(4, Math.min(65_536, Math.ceil(text.length / 6)));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out.length > 0 ? out : [''];
}

export async function startLoopback(wire: WireProtocol, options: LoopbackOptions = {}): Promise<Loopback> {
  const calls: LoopbackCall[] = [];
  const events = new EventEmitter();
  let inFlight = 0;
  let maxInFlight = 0;
  const server = createServer((req, res) => {
    if (wire.route?.(req, res)) return;
    const path = new URL(req.url ?? '/', 'http://loopback').pathname;
    if (req.method !== 'POST' || !wire.isModelCall(path)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody(404)));
      return;
    }
    const parts: Buffer[] = [];
    req.on('data', (b: Buffer) => parts.push(b));
    req.on('end', () => {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(Buffer.concat(parts).toString('utf8')) as Record<string, unknown>;
      } catch {
        res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify(wire.errorBody(400)));
        return;
      }
      const call: LoopbackCall = { index: calls.length, path, body, headers: req.headers, ...wire.read(path, body) };
      calls.push(call);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      res.on('close', () => inFlight--);
      events.emit('call');
      if (wire.refuse?.(res, call)) return;
      const fault = options.fault?.(call) ?? (options.latencyMs ? { kind: 'delay', ms: options.latencyMs } : undefined);
      respond(res, call, fault);
    });
  });

  function respond(res: ServerResponse, call: LoopbackCall, fault: Fault | undefined): void {
    const model = options.responseModel ?? call.model;
    const text = () => (options.answer ?? (() => '{"code":"ok"}'))(call);
    switch (fault?.kind) {
      case undefined:
        return wire.answer(res, call, text(), model);
      case 'status': {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
        res.writeHead(fault.status, headers).end(JSON.stringify(wire.errorBody(fault.status, fault.message)));
        return;
      }
      case 'stall':
        return;
      case 'stall-after-headers':
        res.writeHead(200, { 'content-type': wire.contentType(call) });
        res.flushHeaders();
        return;
      case 'cut':
        return wire.answer(res, call, text(), model, fault.after ?? 2);
      case 'invalid-json':
        return wire.invalidJson(res, call);
      case 'stream-error':
        // A whole (non-streamed) answer has no in-stream error: the server fails it outright.
        if (!call.stream) return respond(res, call, { kind: 'status', status: 500, message: fault.message });
        return wire.streamError(res, call, model, fault.message ?? 'Overloaded');
      case 'huge':
        return wire.answer(res, call, 'x'.repeat(fault.chars), model);
      case 'delay': {
        const timer = setTimeout(() => wire.answer(res, call, text(), model), fault.ms);
        res.on('close', () => clearTimeout(timer));
        return;
      }
    }
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    inFlight: () => inFlight,
    maxInFlight: () => maxInFlight,
    waitForCalls: (n) =>
      new Promise((resolve) => {
        const check = () => {
          if (calls.length < n) return;
          events.off('call', check);
          resolve();
        };
        events.on('call', check);
        check();
      }),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Writes the answer's chunks through `write`; with `cut`, destroys the socket after that many have left. */
export function streamChunks(res: ServerResponse, chunks: string[], write: (chunk: string) => void, finish: () => void, cut?: number): void {
  const count = cut === undefined ? chunks.length : Math.min(cut, chunks.length);
  for (let i = 0; i < count; i++) write(chunks[i]!);
  if (cut === undefined) return finish();
  // Destroy only once what was written has reached the socket, so the client sees a partial answer.
  res.write('', () => res.socket?.destroy());
}

/** Sends a whole JSON answer; with `cut`, only its first half, and then destroys the socket. */
export function sendWhole(res: ServerResponse, body: string, cut?: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  if (cut === undefined) {
    res.end(body);
    return;
  }
  res.write(body.slice(0, body.length >> 1), () => res.socket?.destroy());
}
