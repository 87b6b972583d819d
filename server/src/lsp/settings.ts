// Owns the `telemetry` settings of a session: defaults <- initializationOptions <- workspace/configuration
// (asked per document, with section and scopeUri), cached per document as promises, and
// forgotten on didChangeConfiguration. Must never keep settings in module scope.
import type { Connection } from 'vscode-languageserver';
import { defaultSettings, settingsSchema, SettingsSection, type TelemetrySettings } from '../../../protocol/settings.js';
import { schemaChecks } from '../config/schema-check.js';
import type { ClientFeatures } from './capabilities.js';
import type { Logger } from './logger.js';

type Raw = Record<string, unknown>;

export class SettingsStore {
  private readonly cache = new Map<string, Promise<TelemetrySettings>>();
  /** Settings sent in didChangeConfiguration, for clients that cannot be asked. */
  private pushed: Raw = {};

  constructor(
    private readonly connection: Connection,
    private readonly client: ClientFeatures,
    private readonly initial: Raw,
    private readonly logger: Logger,
  ) {}

  /** `initializationOptions` may hold the section (`{telemetry: {...}}`) or be the settings themselves. */
  static fromInitializationOptions(options: unknown): Raw {
    if (!isObject(options)) return {};
    return isObject(options[SettingsSection]) ? options[SettingsSection] : options;
  }

  forDocument(uri: string): Promise<TelemetrySettings> {
    let settings = this.cache.get(uri);
    if (!settings) {
      settings = this.read(uri);
      this.cache.set(uri, settings);
    }
    return settings;
  }

  /** didChangeConfiguration: its payload counts only for clients that cannot be asked. */
  changed(payload: unknown): void {
    if (!this.client.configuration && isObject(payload)) {
      this.pushed = SettingsStore.fromInitializationOptions(payload);
    }
    this.cache.clear();
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async read(uri: string): Promise<TelemetrySettings> {
    let asked: unknown = this.pushed;
    if (this.client.configuration) {
      try {
        [asked] = await this.connection.workspace.getConfiguration([{ section: SettingsSection, scopeUri: uri }]);
      } catch (error) {
        this.logger.warn(`workspace/configuration failed, using initializationOptions: ${String(error)}`);
      }
    }
    return {
      ...defaultSettings,
      ...validated(this.initial, 'initializationOptions', this.logger),
      ...validated(isObject(asked) ? asked : {}, 'workspace/configuration', this.logger),
    };
  }
}

/** Each key's schema, compiled on first use: the same checks an editor's settings UI makes. */
const checks = schemaChecks(settingsSchema.properties);

/** Keeps the keys whose values match the schema; logs and drops the others. */
function validated(raw: Raw, origin: string, logger: Logger): Partial<TelemetrySettings> {
  const result: Raw = {};
  for (const [key, check] of Object.entries(checks)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    const problem = check(value)[0]?.message ?? (key === 'redact' ? regexProblem(value as string) : undefined);
    if (problem === undefined) result[key] = value;
    else logger.warn(`ignoring ${origin} ${SettingsSection}.${key}: ${JSON.stringify(value)} does not match the schema (${problem.replace(/^the table /, '')})`);
  }
  return result as Partial<TelemetrySettings>;
}

function regexProblem(source: string): string | undefined {
  try {
    new RegExp(source, 'i');
    return undefined;
  } catch (error) {
    return `not a valid regular expression: ${(error as Error).message}`;
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
