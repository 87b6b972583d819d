// The LLM layer's contracts, shared by the providers and pool (who call models), the budget and
// ledger (who guard and record each call) and the proposal loop (who asks for instrumentations).
// Types only: no behaviour, no imports of the layer's modules, so every part can depend on it.

export type ProviderName = 'openai' | 'anthropic' | 'ollama';

/** Why a call is made; recorded in the ledger. */
export type CallPurpose = 'plan' | 'repair' | 'analysis';

export interface LlmRequest {
  purpose: CallPurpose;
  system: string;
  prompt: string;
  /** The JSON schema of the answer, sent where the provider offers structured output. */
  schema?: { name: string; schema: Record<string, unknown> };
  /** The answer's token ceiling; also what the budget reserves as the worst case. */
  maxTokens: number;
  /** Send to the last (strongest) model of the rotation, for a last repair attempt. */
  strong?: boolean;
  /** Stable function id (`path::qualified.name::kind`) and file, for the ledger. */
  functionId?: string;
  file?: string;
  /** 1-based attempt for this function. */
  attempt?: number;
}

export interface LlmUsage {
  inputTokens: number;
  outputTokens: number;
}

export interface LlmAnswer {
  text: string;
  usage: LlmUsage;
  provider: ProviderName;
  requestModel: string;
  responseModel: string;
  endpoint: string;
  /** The GPU the endpoint or model was placed on, when known. */
  gpu?: string;
  durationMs: number;
  /** 0 for local models; their GPU seconds are in the ledger instead. */
  costUsd: number;
}

/** What the pool and the proposal loop call. One instance per process, shared by all callers. */
export interface LlmClient {
  complete(request: LlmRequest, signal?: AbortSignal): Promise<LlmAnswer>;
  /** What a request would use, or why the layer cannot be used (no provider configured…). */
  describe(): LlmDescription;
  close(): Promise<void>;
}

export type LlmDescription =
  | { configured: true; provider: ProviderName; models: string[]; endpoints: string[]; capacity: number }
  | { configured: false; reason: string };

/** The pool's failure: `type` is the ledger's `error.type` (`timeout`, `http_429`, `budget`, `invalid_json`…). */
export class LlmCallError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'LlmCallError';
  }
}

/** A worst-case estimate the budget checks before a call starts. */
export interface CallEstimate {
  provider: ProviderName;
  model: string;
  inputTokens: number;
  maxOutputTokens: number;
}

/** The budget's hold on one call: committed with the real usage (or null when nothing was billed). */
export interface Reservation {
  /** Returns the call's real cost in USD. */
  commit(usage: LlmUsage | null, responseModel?: string): number;
}

/** The pool asks before every call; a refusal means the call is never started. */
export interface CallGuard {
  reserve(estimate: CallEstimate): Reservation | { refused: string };
}

/** One line of `.telemetry_cache/llm-ledger.jsonl`; names follow the OpenTelemetry GenAI conventions. */
export interface LedgerRecord {
  timestamp: string;
  'gen_ai.operation.name': 'chat';
  'gen_ai.provider.name': ProviderName;
  'gen_ai.request.model': string;
  'gen_ai.response.model': string | null;
  'gen_ai.usage.input_tokens': number;
  'gen_ai.usage.output_tokens': number;
  duration_ms: number;
  endpoint: string;
  gpu: string | null;
  /** Seconds the call held a local GPU (local models cost $0). */
  gpu_seconds: number | null;
  success: boolean;
  'error.type': string | null;
  cost_usd: number;
  attempt: number;
  purpose: CallPurpose;
  function_id: string | null;
  file: string | null;
}

/** The pool reports every call, successful or not. */
export interface CallObserver {
  record(record: LedgerRecord): void;
}
