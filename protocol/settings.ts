// The `telemetry` settings section: its type and defaults, both read from settings-schema.json so
// that the schema clients ship and the defaults the server applies cannot drift apart.
// Must never hold per-session values: this is shared, immutable data.
import schema from './settings-schema.json' with { type: 'json' };

export type Severity = 'error' | 'warning' | 'information' | 'hint';

export interface TelemetrySettings {
  enable: boolean;
  severity: Severity;
  include: string[];
  exclude: string[];
  runtimePath: string;
  maxFileSize: number;
  requireKinds: string[];
}

/** The section name, as asked for in workspace/configuration and read from initializationOptions. */
export const SettingsSection = 'telemetry';

export const settingsSchema = schema;

export const defaultSettings: Readonly<TelemetrySettings> = Object.freeze(
  Object.fromEntries(
    Object.entries(schema.properties).map(([key, property]) => [key, property.default]),
  ) as unknown as TelemetrySettings,
);
