// Owns the `telemetry` settings of a session: defaults <- initializationOptions <- workspace/configuration
// (asked per document, with section and scopeUri), cached per document as promises, and
// forgotten on didChangeConfiguration. Must never keep settings in module scope.
import type { Connection } from 'vscode-languageserver';
import { defaultSettings, settingsSchema, SettingsSection, type TelemetrySettings } from '../../../protocol/settings.js';
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

/** Keeps the keys whose values match the schema; logs and drops the others. */
function validated(raw: Raw, origin: string, logger: Logger): Partial<TelemetrySettings> {
  const result: Raw = {};
  for (const [key, property] of Object.entries(settingsSchema.properties)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    if (matches(value, property)) result[key] = value;
    else logger.warn(`ignoring ${origin} ${SettingsSection}.${key}: ${JSON.stringify(value)} does not match the schema`);
  }
  return result as Partial<TelemetrySettings>;
}

interface PropertySchema {
  type: string;
  enum?: string[];
  minimum?: number;
  items?: { type: string };
}

function matches(value: unknown, property: PropertySchema): boolean {
  switch (property.type) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'string':
      return typeof value === 'string' && (!property.enum || property.enum.includes(value));
    case 'integer':
      return Number.isInteger(value) && (value as number) >= (property.minimum ?? -Infinity);
    case 'array':
      return Array.isArray(value) && value.every((item) => typeof item === (property.items?.type ?? 'string'));
    default:
      return false;
  }
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
