// The runtime event contract: the event types and their fields (events.schema.json is the
// JSON schema of one JSONL line), and the behaviour every runtime shares (runtime-vectors.json:
// env parsing, sampling, redaction, previews, labels). `report`, the behaviour checker, the
// exporters and the runtime tests import it from here, so none keeps its own copy.
// Must never hold per-run state or parse anything: it is shared, immutable data.
import schema from './events.schema.json' with { type: 'json' };
import vectors from './runtime-vectors.json' with { type: 'json' };

export const eventSchema = schema;
export const runtimeVectors = vectors;

export const EVENT_TYPES = [
  'function_entry',
  'function_exit',
  'variable_change',
  'branch',
  'loop_entry',
  'loop_exit',
  'exception',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/**
 * The event schema's major version that this version reads. An event says its own in
 * `schema_version` (absent means 1); readers skip and count events of another major and say so.
 * Additions that old readers can ignore (a new optional field) keep the major.
 */
export const SCHEMA_VERSION = 1;

/** Events written between a call's entry and its exit. */
export const INNER_EVENT_TYPES: readonly EventType[] = EVENT_TYPES.slice(2);

export type RuntimeLanguage = 'python' | 'javascript' | 'go';

/** An error as events carry it: `function_exit.error`, `exception.error`. */
export interface EventError {
  type: string;
  message: string;
}

/** How many calls of one function the call limits left out (function_exit.dropped_calls). */
export interface DroppedCalls {
  function_name: string;
  file: string;
  line: number;
  count: number;
}

/** One event line, any type: the common fields, and every type's own fields as optional. */
export interface TelemetryEvent {
  event_type: string;
  timestamp_ns: number;
  function_name: string;
  file: string;
  line: number;
  correlation_id: string;
  parent_correlation_id: string | null;
  trace_id: string;
  span_id: string;
  /** The schema's major version; absent means 1 (see SCHEMA_VERSION). */
  schema_version?: number;
  // function_entry
  args?: Record<string, string>;
  caller?: string | null;
  // function_exit (duration_ns also on loop_exit)
  duration_ns?: number;
  return?: string;
  /** A function_exit's thrown error; an exception event's, or null when unknown. */
  error?: EventError | null;
  /** Calls the per-function call limits left out: below this call, or of this function with no recorded caller. */
  dropped_calls?: DroppedCalls[];
  // variable_change
  variable?: string;
  value?: string;
  redacted?: boolean;
  // branch
  branch?: string;
  condition?: string | null;
  // loop_entry, loop_exit
  loop?: string;
  iterations?: number;
  suppressed?: number;
  // exception
  clause?: string;
}

/** Labels, loop kinds (null: any non-empty kind) and exception clauses the probes pass per language. */
export const LABELS: Record<RuntimeLanguage, { branch: string[]; loop: string[] | null; clause: string[] }> = vectors.labels;

export const PREVIEW = {
  limit: vectors.constants.preview_limit,
  messageLimit: vectors.constants.message_limit,
  redacted: vectors.constants.redacted,
} as const;
