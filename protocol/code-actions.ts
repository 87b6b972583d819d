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
