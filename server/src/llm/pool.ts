// The LlmClient: one pool per process over the configured endpoints. Each request gets a model
// (the rotation, or the strong one), waits in the local queue for an endpoint (router.ts), asks the
// budget (CallGuard) before every attempt, calls the provider with a request timeout and a
// first-token timeout, reports every attempt to the ledger (CallObserver), and on a retryable
// failure backs off or honours Retry-After and fails over to another endpoint, at most twice.
// This is the layer's only retry loop; it must never retry a call the budget refused, or one the
// caller cancelled.
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy } from './backoff.js';
import { classify, ProviderCallError, type AbortCause } from './call-error.js';
import type { LlmConfig } from './config.js';
import { endpointStates, gpuLabel, type EndpointState } from './endpoint.js';
import type { HealthPolicy } from './health.js';
import { markLoaded } from './ollama-inventory.js';
import { AnswerSink, type ProviderAdapter, type ProviderResult } from './providers/provider.js';
import { Router } from './router.js';
import { inputTokenBound } from './budget.js';
import type { CallGuard, CallObserver, LedgerRecord, LlmAnswer, LlmClient, LlmDescription, LlmRequest, LlmUsage, Reservation } from './types.js';
import { LlmCallError } from './types.js';

export interface PoolOptions {
  guard?: CallGuard;
  observer?: CallObserver;
  /** Attempts per request: the first and at most two fail-overs. */
  maxAttempts?: number;
  health?: HealthPolicy;
  backoff?: BackoffPolicy;
  random?: () => number;
  /** Where the pool says what it did (a cooldown, a Retry-After too long to wait for). */
  log?: (message: string) => void;
}

export class LlmPool implements LlmClient {
  readonly endpoints: EndpointState[];
  readonly router: Router;
  private turn = 0;
  private closed = false;
  /** Aborts the calls still running when the client closes. */
  private readonly closing = new AbortController();

  constructor(
    readonly config: LlmConfig,
    private readonly adapter: ProviderAdapter,
    private readonly options: PoolOptions = {},
  ) {
    this.endpoints = endpointStates(config.endpoints, config.parallelPerEndpoint, options.health);
    this.router = new Router(this.endpoints);
  }

  describe(): LlmDescription {
    const { provider, models, endpoints, parallelPerEndpoint } = this.config;
    return { configured: true, provider, models: [...models], endpoints: [...endpoints], capacity: endpoints.length * parallelPerEndpoint };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.router.close();
    this.closing.abort();
  }

  async complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer> {
    if (this.closed) throw new LlmCallError('closed', 'the LLM client was closed', false);
    const model = this.modelFor(request);
    const tried = new Set<string>();
    const notBefore = new Map<string, number>();
    const maxAttempts = this.options.maxAttempts ?? 3;
    let failure: ProviderCallError | undefined;
    for (let n = 0; n < maxAttempts; n++) {
      this.failIfAllHeld(failure);
      const endpoint = await this.router.acquire({ model, tried, notBefore }, signal);
      try {
        return await this.attempt(endpoint, model, request, signal);
      } catch (error) {
        if (!(error instanceof ProviderCallError) || !error.retryable) throw error;
        failure = error;
        tried.add(endpoint.url);
        this.holdOff(endpoint, error, n, notBefore);
        if (!this.endpoints.some((e) => notBefore.get(e.url) !== Infinity)) break;
      } finally {
        this.router.release(endpoint);
      }
    }
    throw failure!;
  }

  /** Waiting out a Retry-After longer than the policy honours would look like a hang: fail instead. */
  private failIfAllHeld(failure: ProviderCallError | undefined): void {
    const limit = (this.options.backoff ?? DEFAULT_BACKOFF).maxRetryAfterMs;
    const now = Date.now();
    if (this.endpoints.every((e) => e.health.retryAfterUntil - now > limit)) {
      throw failure ?? new LlmCallError('unavailable', `every endpoint asked to wait more than ${limit / 1000} s (Retry-After)`, false);
    }
  }

  /** The strong model is the rotation's last. */
  private modelFor(request: LlmRequest): string {
    const models = this.config.models;
    if (request.strong) return models[models.length - 1]!;
    return models[this.turn++ % models.length]!;
  }

  /**
   * Sets when the failed endpoint may be tried again: for everyone when its server sent
   * Retry-After, for this request alone otherwise; never again for this request when the server
   * asked for longer than the policy honours, or answered 404.
   */
  private holdOff(endpoint: EndpointState, error: ProviderCallError, n: number, notBefore: Map<string, number>): void {
    const now = Date.now();
    const policy = this.options.backoff ?? DEFAULT_BACKOFF;
    if (error.extra.failoverOnly) {
      notBefore.set(endpoint.url, Infinity);
      return;
    }
    const asked = error.extra.retryAfterMs;
    if (asked !== undefined) {
      endpoint.health.holdFor(asked, now);
      if (asked > policy.maxRetryAfterMs) {
        this.options.log?.(`${endpoint.url} asked to wait ${Math.round(asked / 1000)} s (more than ${policy.maxRetryAfterMs / 1000} s): not retrying there`);
        notBefore.set(endpoint.url, Infinity);
      }
      return;
    }
    notBefore.set(endpoint.url, now + backoffMs(n, policy, this.options.random));
  }

  private async attempt(endpoint: EndpointState, model: string, request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer> {
    const { config } = this;
    const reservation = this.reserve(endpoint, model, request);
    const controller = new AbortController();
    const abort = (cause: AbortCause) => controller.abort(cause);
    const total = setTimeout(() => abort('timeout'), config.timeoutMs);
    // Without streaming the first token is the whole answer: only the request timeout applies.
    const firstToken = config.stream ? setTimeout(() => abort('first_token_timeout'), config.firstTokenTimeoutMs) : undefined;
    const onCaller = () => abort('aborted');
    if (signal?.aborted || this.closing.signal.aborted) onCaller();
    signal?.addEventListener('abort', onCaller, { once: true });
    this.closing.signal.addEventListener('abort', onCaller, { once: true });
    const sink = new AnswerSink(answerLimit(request.maxTokens), () => clearTimeout(firstToken));
    const started = performance.now();
    let result: ProviderResult;
    try {
      result = await this.adapter({ endpoint: endpoint.url, model, request, apiKey: config.apiKey, stream: config.stream, signal: controller.signal, sink });
    } catch (thrown) {
      const cause = controller.signal.aborted ? (controller.signal.reason as AbortCause) : undefined;
      // Some servers echo the key they were sent ("Incorrect API key provided: …").
      const error = classify(thrown, cause, sink.started, config.apiKey);
      const durationMs = performance.now() - started;
      // Not billed when the server refused outright; else assume the worst case was spent.
      const cost = reservation.commit(error.extra.billed ? worstCase(request) : null);
      this.finish(endpoint, false, error.type, error.extra.endpointFault ?? false);
      this.record(endpoint, model, request, { durationMs, usage: null, responseModel: null, error: error.type, cost });
      throw error;
    } finally {
      clearTimeout(total);
      clearTimeout(firstToken);
      signal?.removeEventListener('abort', onCaller);
      this.closing.signal.removeEventListener('abort', onCaller);
      if (!controller.signal.aborted) controller.abort('aborted');
    }
    const durationMs = performance.now() - started;
    // A server that reports no usage (one that ignores include_usage) is charged its worst case:
    // the budget must never learn of less than was spent.
    const usage = result.usage ?? worstCase(request);
    const costUsd = reservation.commit(usage, result.responseModel ?? undefined);
    this.finish(endpoint, true);
    if (endpoint.inventory) markLoaded(endpoint.inventory, model);
    this.record(endpoint, model, request, { durationMs, usage, responseModel: result.responseModel, error: null, cost: costUsd });
    return {
      text: sink.text(),
      usage,
      provider: config.provider,
      requestModel: model,
      responseModel: result.responseModel ?? model,
      endpoint: endpoint.url,
      ...(endpoint.gpu ? { gpu: gpuLabel(endpoint.gpu)! } : {}),
      durationMs,
      costUsd,
    };
  }

  private reserve(endpoint: EndpointState, model: string, request: LlmRequest): Reservation {
    const guard = this.options.guard;
    if (!guard) return { commit: () => 0 };
    const held = guard.reserve({ provider: this.config.provider, model, inputTokens: estimateInputTokens(request), maxOutputTokens: request.maxTokens });
    if ('refused' in held) {
      this.record(endpoint, model, request, { durationMs: 0, usage: null, responseModel: null, error: 'budget', cost: 0 });
      throw new LlmCallError('budget', held.refused, false);
    }
    return held;
  }

  private finish(endpoint: EndpointState, ok: boolean, errorType?: string, endpointFault = true): void {
    if (!ok && !endpointFault) return;
    if (endpoint.health.record(ok, Date.now(), errorType)) {
      this.options.log?.(`${endpoint.url} is cooling down after repeated failures (last: ${errorType})`);
      // The queue must learn when it comes back.
      this.router.pump();
    }
  }

  private record(
    endpoint: EndpointState,
    model: string,
    request: LlmRequest,
    outcome: { durationMs: number; usage: LlmUsage | null; responseModel: string | null; error: string | null; cost: number },
  ): void {
    const local = this.config.provider === 'ollama';
    const record: LedgerRecord = {
      timestamp: new Date().toISOString(),
      'gen_ai.operation.name': 'chat',
      'gen_ai.provider.name': this.config.provider,
      'gen_ai.request.model': model,
      'gen_ai.response.model': outcome.responseModel,
      'gen_ai.usage.input_tokens': outcome.usage?.inputTokens ?? 0,
      'gen_ai.usage.output_tokens': outcome.usage?.outputTokens ?? 0,
      duration_ms: Math.round(outcome.durationMs),
      endpoint: endpoint.url,
      gpu: gpuLabel(endpoint.gpu),
      gpu_seconds: local && outcome.error !== 'budget' ? outcome.durationMs / 1000 : null,
      success: outcome.error === null,
      'error.type': outcome.error,
      cost_usd: outcome.cost,
      attempt: request.attempt ?? 1,
      purpose: request.purpose,
      function_id: request.functionId ?? null,
      file: request.file ?? null,
    };
    this.options.observer?.record(record);
  }
}

/**
 * The budget's worst case for the input: an upper bound, never an estimate that could fall short
 * (characters / 3 does for dense code, CJK text and emoji). See inputTokenBound in budget.ts.
 */
export function estimateInputTokens(request: LlmRequest): number {
  return inputTokenBound(request.system, request.prompt, request.schema ? JSON.stringify(request.schema.schema) : '');
}

function worstCase(request: LlmRequest): LlmUsage {
  return { inputTokens: estimateInputTokens(request), outputTokens: request.maxTokens };
}

/** A token is rarely more than a dozen characters; an answer far longer than max_tokens allows is broken. */
export function answerLimit(maxTokens: number): number {
  return Math.max(65_536, maxTokens * 16);
}
