// Code-action kinds and diagnostic identity shared by the server and clients
// (e.g. a client's codeActionsOnSave or a diagnostic filter). Values are part of the public contract.

/** Adds telemetry to every function in the file that lacks it. */
export const FixAllKind = 'source.fixAll.telemetry';
/** Strips every probe and the runtime import from the file. */
export const RemoveFromFileKind = 'source.removeTelemetry';

/** Diagnostics the server publishes carry this source and code. */
export const DiagnosticSource = 'telemetry';
export const MissingTelemetryCode = 'missing-telemetry';
export const MissingTelemetryHref = 'https://github.com/telemetry-injector/telemetry-injector#missing-telemetry';

/** The `data` of a `missing-telemetry` diagnostic: what the function must carry and what it lacks. */
export interface MissingTelemetryData {
  /** The probe kinds the function's file requires (settings and team file combined), in order. */
  require: string[];
  /** The required kinds the function lacks; `function` when it has no entry probe. */
  lacks: string[];
}

export function isMissingTelemetryData(value: unknown): value is MissingTelemetryData {
  const data = value as Partial<MissingTelemetryData> | null | undefined;
  const strings = (list: unknown) => Array.isArray(list) && list.every((item) => typeof item === 'string');
  return typeof data === 'object' && data !== null && strings(data.require) && strings(data.lacks);
}
