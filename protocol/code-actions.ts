// Code-action kinds and diagnostic identity shared by the server and clients
// (e.g. a client's codeActionsOnSave or a diagnostic filter). Values are part of the public contract.

/** Adds telemetry to every function in the file that lacks it. */
export const FixAllKind = 'source.fixAll.telemetry';
/** Strips every probe and the runtime import from the file. */
export const RemoveFromFileKind = 'source.removeTelemetry';

/** "Trace `name` for 10 minutes" and "Stop tracing `name`" on an instrumented function: a command, no edit. */
export const TraceKind = 'source.trace.telemetry';

/** Diagnostics the server publishes carry this source and code. */
export const DiagnosticSource = 'telemetry';
export const MissingTelemetryCode = 'missing-telemetry';
/** An Information diagnostic on a function the control file switches on now: "traced for 7 more minutes". */
export const TracedCode = 'traced';

/** The `data` of a `traced` diagnostic: the control-file key that switched it on, and when that ends. */
export interface TracedData {
  key: string;
  /** RFC 3339, or null when the entry never expires. */
  expires_at: string | null;
}
export const MissingTelemetryHref = 'https://github.com/telemetry-injector/telemetry-injector#missing-telemetry';

/** The `data` of a `missing-telemetry` diagnostic: which function, what it must carry and what it lacks. */
export interface MissingTelemetryData {
  /**
   * The function id: `path::qualified.name::kind` (path relative to the workspace folder, `::2`… for
   * later namesakes in the file). Stable across edits above the function; what baselines, events and
   * lenses join on.
   */
  id: string;
  /** The probe kinds the function's file requires (settings and team file combined), in order. */
  require: string[];
  /** The required kinds the function lacks; `function` when it has no entry probe. */
  lacks: string[];
}

export function isMissingTelemetryData(value: unknown): value is MissingTelemetryData {
  const data = value as Partial<MissingTelemetryData> | null | undefined;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  // `id` came later: data a client kept from an older server still counts.
  const id = data?.id === undefined || typeof data.id === 'string';
  return typeof data === 'object' && data !== null && id && strings(data.require) && strings(data.lacks);
}
