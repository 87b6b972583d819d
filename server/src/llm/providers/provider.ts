// What a provider adapter is: one function that sends one request to one endpoint through its
// vendor's SDK and returns the answer's text and usage. Adapters never retry, never wait, never
// choose endpoints or models (the pool does), and never catch errors (the pool classifies them).
import type { LlmRequest, LlmUsage } from '../types.js';
import { answerTooLarge } from '../call-error.js';

export interface ProviderCall {
  endpoint: string;
  model: string;
  request: LlmRequest;
  apiKey?: string;
  stream: boolean;
  /** Aborts the HTTP request (timeouts, the caller's cancellation). */
  signal: AbortSignal;
  /** Every piece of answer text goes here, as it arrives. */
  sink: AnswerSink;
}

export interface ProviderResult {
  usage: LlmUsage | null;
  responseModel: string | null;
}

export type ProviderAdapter = (call: ProviderCall) => Promise<ProviderResult>;

/** Collects the answer, reports its first token, and stops an answer that grows past its limit. */
export class AnswerSink {
  private parts: string[] = [];
  private length = 0;
  private first = false;

  constructor(
    private readonly limit: number,
    private readonly onFirstToken: () => void,
  ) {}

  /** Throws (ending the stream) when the answer outgrows its limit. */
  append(piece: string): void {
    if (!this.first) {
      this.first = true;
      this.onFirstToken();
    }
    this.length += piece.length;
    if (this.length > this.limit) throw answerTooLarge(this.limit);
    this.parts.push(piece);
  }

  /** Replaces the collected text (a structured answer assembled by the SDK). */
  replace(text: string): void {
    this.parts = [];
    this.length = 0;
    this.append(text);
  }

  get started(): boolean {
    return this.first;
  }

  text(): string {
    return this.parts.join('');
  }
}

/** What the SDKs' constructors share here: their own retries off, the pool's timeout, no logging. */
export interface SdkOptions {
  apiKey: string;
  baseURL: string;
  maxRetries: 0;
  timeout: number;
  logLevel: 'off';
  logger: typeof silent;
}

// The SDKs' stream parsers log the broken line before they throw; the pool reports the error itself.
const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {} };

/** One SDK client per endpoint and key, made on first use with `make`. */
export function sdkClients<C>(timeoutMs: number, make: (options: SdkOptions) => C): (endpoint: string, apiKey: string) => C {
  const clients = new Map<string, C>();
  return (endpoint, apiKey) => {
    const key = `${endpoint}\n${apiKey}`;
    let client = clients.get(key);
    if (!client) {
      client = make({ apiKey, baseURL: endpoint, maxRetries: 0, timeout: timeoutMs, logLevel: 'off', logger: silent });
      clients.set(key, client);
    }
    return client;
  };
}
