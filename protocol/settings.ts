// The `telemetryInjector` settings section: its type and defaults, both read from settings-schema.json so
// that the schema clients ship and the defaults the server applies cannot drift apart.
// Must never hold per-session values: this is shared, immutable data.
import schema from './settings-schema.json' with { type: 'json' };

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** The probe kinds, as the settings and the team file name them (the engine's PROBE_KINDS). */
export type ProbeKindName = 'function' | 'variable' | 'branch' | 'loop' | 'exception';
export type LanguageName = 'python' | 'javascript' | 'typescript' | 'tsx' | 'go' | 'java' | 'rust';

/** One requirement rule, in the settings (`rules`) and in the team file (`[[rules]]`) alike. */
export interface RequirementRule {
  /** Globs relative to the folder the rule comes from; every file when absent. */
  paths?: string[];
  /** Every language when absent. */
  languages?: LanguageName[];
  require: ProbeKindName[];
}

/** How the editor's `require`/`rules`/`redact` combine with the team file (Ruff's names). */
export type ConfigurationPreference = 'editorFirst' | 'filesystemFirst' | 'editorOnly';

export interface TelemetrySettings {
  enable: boolean;
  severity: Severity;
  include: string[];
  exclude: string[];
  runtimePath: string;
  maxFileSize: number;
  requireKinds: string[];
  /** null: the team file's, else every kind. */
  require: ProbeKindName[] | null;
  rules: RequirementRule[];
  /** null: the team file's, else the engine's DEFAULT_REDACT. */
  redact: string | null;
  configurationPreference: ConfigurationPreference;
  /** Globs (relative to the workspace folder) of the event files read for code lenses and hovers. */
  traceFiles: string[];
  /** The LLM's configuration over its environment variables; never keys (those come only from the environment). */
  llm: LlmSettingsSection;
}

/** `telemetryInjector.llm`: each key over its environment variable (LLM_PROVIDER, LLM_MODEL, …). */
export interface LlmSettingsSection {
  provider?: 'openai' | 'anthropic' | 'ollama';
  /** A comma list or an array, rotated; the last is the strong model. */
  model?: string | string[];
  baseUrl?: string | string[];
  /** Seconds. */
  timeout?: number;
  /** Seconds. */
  firstTokenTimeout?: number;
  parallelPerEndpoint?: number;
  stream?: boolean;
  /** "<input>,<output>" in USD per million tokens, for models the price table lacks. */
  pricePerMtok?: string;
}

/** The section name, as asked for in workspace/configuration and read from initializationOptions. */
export const SettingsSection = 'telemetryInjector';

/**
 * The section's old name: VS Code owns `telemetry.*` (`telemetry.telemetryLevel`), where a
 * `telemetry.enable` read as VS Code's own switch. Still read, under the new one, for one release.
 */
export const DeprecatedSettingsSection = 'telemetry';

export const settingsSchema = schema;

export const defaultSettings: Readonly<TelemetrySettings> = Object.freeze(
  Object.fromEntries(
    Object.entries(schema.properties).map(([key, property]) => [key, property.default]),
  ) as unknown as TelemetrySettings,
);
