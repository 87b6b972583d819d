// The control file (TELEMETRY_CONTROL) as the runtimes read it and the CLI and the editor write it:
// a JSON object mapping function ids (`file:name`, or `name`) and globs (`*`, `?`) to an entry;
// `"*"` is the default, a function left out follows the global switch, an expired entry is off.
// The Python, JavaScript and Go runtimes each parse this shape; this file is its one description.
// Must never hold state or touch the disk (server/src/workspace/control-file.ts reads and writes it).

/** One function's (or glob's) switch. */
export interface ControlEntry {
  enabled: boolean;
  /** RFC 3339 UTC time (`2026-01-01T10:00:00Z`) after which the entry no longer applies. */
  expires_at?: string;
  /** The function's call limit while switched on. */
  max_events_per_sec?: number;
  /** false: the function's arguments are not recorded. */
  capture_args?: boolean;
}

export type ControlFile = Record<string, ControlEntry>;

/** Where the control file is when TELEMETRY_CONTROL is not set, relative to the runtime module's folder (Go: the working directory). */
export const DefaultControlPath = '.telemetry/control.json';

/** How long "Trace `name`" switches a function on, in the editor and in `trace` without `--for`. */
export const DefaultTraceMs = 10 * 60_000;

/** The key a function has in the control file: the events' `file` and `function_name`. */
export function controlKey(file: string, name: string): string {
  return `${file}:${name}`;
}
