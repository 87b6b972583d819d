// The LLM calls a user's own program made, as its events show them: every event carrying `gen_ai`
// (a function's return value or a variable's value was an OpenAI, Anthropic or Ollama response) is
// one successful call, priced here (`llm.cost.total_usd`) with the same table as the LLM layer; an
// exit by error of a function that made such calls elsewhere, or by an SDK's own API error type, is
// one failed call (counted where it was raised, not again in each caller it passes through). The
// latency is the enclosing call's duration. A response seen twice (returned by a callee, then held
// in the caller's variable or returned again) counts once. Reads event files with the one streaming reader (trace/event-stream.ts).
// Must never keep more than the open calls that made LLM calls and the failed exits in memory.
import type { GenAiAttributes, TelemetryEvent } from '../../../protocol/events.js';
import { emptyCounts, readEvents, type ReadCounts } from '../trace/event-stream.js';
import type { CallSample } from './metrics.js';
import type { Prices } from './prices.js';
import type { ProviderName } from './types.js';

const PROVIDERS = new Set<string>(['openai', 'anthropic', 'ollama']);

/** Error types the OpenAI, Anthropic and Ollama SDKs (Python and Node) raise for a failed call. */
const SDK_ERRORS = new Set([
  'APIError', 'APIStatusError', 'APIConnectionError', 'APITimeoutError', 'APIUserAbortError', 'BadRequestError',
  'AuthenticationError', 'PermissionDeniedError', 'NotFoundError', 'ConflictError', 'UnprocessableEntityError',
  'RateLimitError', 'InternalServerError', 'OverloadedError', 'ResponseError',
]);

export interface EventCalls {
  samples: CallSample[];
  counts: ReadCounts;
}

interface Pending {
  timestampMs: number;
  gen: GenAiAttributes;
  json: string;
}

/** The LLM call samples in these event files, in the order they were read. */
export async function callsFromEvents(files: readonly string[], prices: Prices): Promise<EventCalls> {
  const counts = emptyCounts();
  const samples: CallSample[] = [];
  const open = new Map<string, Pending[]>(); // correlation id -> LLM responses seen inside the call
  const llmFunctions = new Set<string>();
  const failedExits: { key: string; event: TelemetryEvent }[] = [];
  // An error leaving a call and then its callers is one failed call: its callers' exits are skipped.
  const raisedBelow = new Map<string, Set<string>>(); // correlation id -> errors its callees' exits carried
  // Responses a callee returned, by the caller's correlation id: the same object met again there is not another call.
  const handedUp = new Map<string, string[]>();
  const takeHandedUp = (cid: string, json: string) => {
    const list = handedUp.get(cid);
    const at = list ? list.indexOf(json) : -1;
    if (at >= 0) list!.splice(at, 1);
    return at >= 0;
  };
  const handUp = (parent: string | null, json: string) => {
    if (parent) handedUp.set(parent, [...(handedUp.get(parent) ?? []), json]);
  };
  for (const file of files) {
    for await (const { event } of readEvents(file, counts)) {
      const key = `${event.file}\0${event.function_name}`;
      const gen = genAiOf(event);
      if (gen && event.event_type === 'variable_change') {
        const json = JSON.stringify(gen);
        if (takeHandedUp(event.correlation_id, json)) continue;
        llmFunctions.add(key);
        const list = open.get(event.correlation_id) ?? [];
        list.push({ timestampMs: event.timestamp_ns / 1e6, gen, json });
        open.set(event.correlation_id, list);
        continue;
      }
      if (event.event_type !== 'function_exit') continue;
      const durationMs = (event.duration_ns ?? 0) / 1e6;
      const inside = open.get(event.correlation_id) ?? [];
      open.delete(event.correlation_id);
      if (gen) {
        const json = JSON.stringify(gen);
        // Returning a variable already counted, or what a callee returned, is the same call.
        const seen = inside.some((p) => p.json === json) || takeHandedUp(event.correlation_id, json);
        if (!seen) {
          llmFunctions.add(key);
          inside.push({ timestampMs: event.timestamp_ns / 1e6, gen, json });
        }
        handUp(event.parent_correlation_id, json);
      }
      handedUp.delete(event.correlation_id);
      for (const p of inside) samples.push(sample(p, durationMs, event.function_name, prices));
      const below = raisedBelow.get(event.correlation_id);
      raisedBelow.delete(event.correlation_id);
      if (event.error && inside.length === 0) {
        const error = `${event.error.type}\0${event.error.message}`;
        if (!below?.has(error)) failedExits.push({ key, event });
        if (event.parent_correlation_id) {
          const set = raisedBelow.get(event.parent_correlation_id) ?? new Set<string>();
          raisedBelow.set(event.parent_correlation_id, set.add(error));
        }
      }
    }
  }
  // Responses whose call never exited (the program was killed): the call happened, its latency is unknown.
  for (const list of open.values()) for (const p of list) samples.push(sample(p, null, null, prices));
  for (const { key, event } of failedExits) {
    if (!llmFunctions.has(key) && !SDK_ERRORS.has(event.error?.type ?? '')) continue;
    samples.push({
      timestampMs: event.timestamp_ns / 1e6,
      success: false,
      errorType: event.error?.type ?? 'unknown',
      model: null,
      endpoint: null,
      durationMs: (event.duration_ns ?? 0) / 1e6,
      costUsd: 0,
      inputTokens: 0,
      outputTokens: 0,
      gpuSeconds: 0,
      function: event.function_name,
    });
  }
  return { samples, counts };
}

function sample(p: Pending, durationMs: number | null, fn: string | null, prices: Prices): CallSample {
  const provider = p.gen['gen_ai.provider.name'] as ProviderName;
  const model = p.gen['gen_ai.response.model'] ?? p.gen['gen_ai.request.model'];
  const usage = { inputTokens: p.gen['gen_ai.usage.input_tokens'] ?? 0, outputTokens: p.gen['gen_ai.usage.output_tokens'] ?? 0 };
  return {
    timestampMs: p.timestampMs,
    success: true,
    errorType: null,
    model,
    endpoint: provider,
    durationMs,
    costUsd: model === null ? 0 : (prices.cost(provider, model, usage) ?? 0),
    inputTokens: usage.inputTokens,
    outputTokens: usage.outputTokens,
    gpuSeconds: 0,
    function: fn,
  };
}

/** The event's gen_ai object when it is well formed enough to count; undefined otherwise. */
function genAiOf(event: TelemetryEvent): GenAiAttributes | undefined {
  const gen = event.gen_ai as unknown;
  if (typeof gen !== 'object' || gen === null) return undefined;
  const g = gen as Record<string, unknown>;
  if (typeof g['gen_ai.provider.name'] !== 'string' || !PROVIDERS.has(g['gen_ai.provider.name'])) return undefined;
  const count = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : null);
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    'gen_ai.provider.name': g['gen_ai.provider.name'] as GenAiAttributes['gen_ai.provider.name'],
    'gen_ai.request.model': text(g['gen_ai.request.model']),
    'gen_ai.response.model': text(g['gen_ai.response.model']),
    'gen_ai.usage.input_tokens': count(g['gen_ai.usage.input_tokens']),
    'gen_ai.usage.output_tokens': count(g['gen_ai.usage.output_tokens']),
    'gen_ai.response.finish_reasons': Array.isArray(g['gen_ai.response.finish_reasons'])
      ? (g['gen_ai.response.finish_reasons'] as unknown[]).filter((r): r is string => typeof r === 'string')
      : [],
  };
}
