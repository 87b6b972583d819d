// The team file: `telemetry.toml`, `.telemetry.toml` or `[tool.telemetry]` in pyproject.toml, the
// nearest one above a source file. Its shape and its JSON schema (team-file-schema.json, the one
// editors validate with through Taplo's `#:schema` or a schema association, and the server too).
// Must never hold per-session values: this is shared, immutable data.
import schema from './team-file-schema.json' with { type: 'json' };
import type { ProbeKindName, RequirementRule } from './settings.js';

/** Looked for in each folder in this order, from the file's own folder up to the file-system root. */
export const TeamFileNames = ['telemetry.toml', '.telemetry.toml', 'pyproject.toml'] as const;

/** The table of pyproject.toml that holds the team file's keys. */
export const PyprojectTable = ['tool', 'telemetry'] as const;

export const teamFileSchema = schema;

export interface TeamConfig {
  /** Absent: every kind. */
  require?: ProbeKindName[];
  /** Absent: the engine's DEFAULT_REDACT. */
  redact?: string;
  rules?: RequirementRule[];
  /** `metrics` alert thresholds; absent keys take the defaults (90 %, 3000 ms, $10 a day). */
  alerts?: { min_success_rate?: number; max_p95_ms?: number; max_daily_cost_usd?: number };
}
