// Turns whatever a provider SDK threw into the pool's one failure type, and decides what the
// pool does with it: retry or not, how long the server asked us to wait, whether it counts
// against the endpoint's health, whether the provider may have billed the call.
// Must never put a request header, a key or the prompt in a message.
import { LlmCallError } from './types.js';

/** Why the pool aborted an attempt; the abort reason the SDK's own error wraps. */
export type AbortCause = 'timeout' | 'first_token_timeout' | 'aborted';

export class ProviderCallError extends LlmCallError {
  constructor(
    type: string,
    message: string,
    retryable: boolean,
    readonly extra: {
      /** The server's Retry-After, in ms, when it sent one. */
      retryAfterMs?: number;
      /** Counts as an endpoint failure for the cooldown (a model's oversized answer does not). */
      endpointFault?: boolean;
      /** The provider may have billed the call (it started answering or was cut off while working). */
      billed?: boolean;
      /** Worth trying on another endpoint, never again on this one (a 404). */
      failoverOnly?: boolean;
    } = {},
  ) {
    super(type, message, retryable);
  }
}

/** Raised by the answer sink when an answer outgrows its limit; the attempt is stopped. */
export function answerTooLarge(limit: number): ProviderCallError {
  return new ProviderCallError('answer_too_large', `the answer exceeded ${limit} characters and was cut off`, false, { billed: true });
}

interface SdkLikeError {
  status?: unknown;
  /** The SDKs' APIError body; set (with no status) for an error event inside a stream. */
  error?: unknown;
  /** Set by the Ollama adapter on the SDK's error for an `{"error"}` line. */
  providerError?: unknown;
  status_code?: unknown;
  headers?: unknown;
  name?: unknown;
  message?: unknown;
  cause?: unknown;
}

/**
 * `cause` is what the pool itself aborted for (a timeout, the caller), read from the attempt's
 * signal; `started` says whether any answer text arrived before the failure.
 */
export function classify(error: unknown, cause: AbortCause | undefined, started: boolean, secret?: string, now = Date.now()): ProviderCallError {
  if (error instanceof ProviderCallError) return error;
  const made = classified(error, cause, started, now);
  if (!secret || secret === 'none' || !made.message.includes(secret)) return made;
  // Built anew so that no stack trace ever held the secret.
  return new ProviderCallError(made.type, made.message.split(secret).join('[redacted]'), made.retryable, made.extra);
}

function classified(error: unknown, cause: AbortCause | undefined, started: boolean, now: number): ProviderCallError {
  if (cause === 'aborted') return new ProviderCallError('aborted', 'the request was cancelled', false, { billed: started });
  if (cause === 'timeout') return new ProviderCallError('timeout', 'the request timed out', true, { endpointFault: true, billed: true });
  if (cause === 'first_token_timeout') return new ProviderCallError('first_token_timeout', 'no answer token arrived in time', true, { endpointFault: true, billed: true });
  const e = (error ?? {}) as SdkLikeError;
  const status = typeof e.status === 'number' ? e.status : typeof e.status_code === 'number' ? e.status_code : undefined;
  // An error the server sent inside a 200 stream (Anthropic's overloaded_error event, an OpenAI
  // `error` chunk, an Ollama `{"error"}` line): the server is there but failed this answer.
  if (status === undefined && (e.error !== undefined || e.providerError === true)) {
    return new ProviderCallError('stream_error', `the server broke off the answer with an error${detail(e.message)}`, true, { endpointFault: true, billed: true });
  }
  if (status !== undefined) {
    const retryAfterMs = retryAfter(headerOf(e.headers, 'retry-after'), now);
    // A 404 (no such model or path here) may not hold for another endpoint: fail over, never retry there.
    const failoverOnly = status === 404;
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500 || failoverOnly;
    // 401/403/404 mean this endpoint cannot serve us; 400/413/422 are about the request.
    const endpointFault = retryable || status === 401 || status === 403;
    return new ProviderCallError(`http_${status}`, `the server answered HTTP ${status}${detail(e.message)}`, retryable, { retryAfterMs, endpointFault, failoverOnly });
  }
  // Ours, and the ollama SDK's own words for an NDJSON stream without its `done` line.
  if ((e as { incomplete?: unknown }).incomplete === true || /did not receive done/i.test(String(e.message))) {
    return new ProviderCallError('incomplete_stream', 'the answer stream ended before the answer finished', true, { endpointFault: true, billed: true });
  }
  if (e.name === 'SyntaxError' || /JSON/.test(String(e.message))) {
    return new ProviderCallError('invalid_json', `the server sent a response that is not valid JSON${detail(e.message)}`, true, { endpointFault: true, billed: true });
  }
  // undici says "terminated" when the body breaks off after the headers.
  if (started || /terminated/.test(String(e.message))) return new ProviderCallError('stream_cut', `the answer stream broke off${detail(e.message)}`, true, { endpointFault: true, billed: true });
  return new ProviderCallError('connection', `could not reach the server${detail(rootMessage(error))}`, true, { endpointFault: true });
}

function headerOf(headers: unknown, name: string): string | null {
  if (!headers) return null;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name);
  const value = (headers as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : null;
}

/** Retry-After as delay seconds or an HTTP date; undefined when absent or unreadable. */
export function retryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

function rootMessage(error: unknown): string {
  let e = error as SdkLikeError | undefined;
  let message = String(e?.message ?? error);
  // fetch wraps the socket error (ECONNREFUSED…) in `cause`.
  for (let depth = 0; e?.cause && depth < 4; depth++) {
    e = e.cause as SdkLikeError;
    if (e?.message) message = String(e.message);
  }
  return message;
}

function detail(message: unknown): string {
  const text = typeof message === 'string' ? message.replace(/\s+/g, ' ').trim().slice(0, 200) : '';
  return text ? `: ${text}` : '';
}
