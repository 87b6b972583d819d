// Owns the `telemetryInjector` settings of a session: defaults <- initializationOptions <- workspace/configuration
// (asked per document, with section and scopeUri), cached per document as promises, and
// forgotten on didChangeConfiguration. For one release the old `telemetry` section is read under the
// new one, with one deprecation line per session. A value of the wrong type is dropped (the layer
// below, or the default, applies) and shown to the user once per session (window/showMessage at
// Warning, which every client displays, plus the log line), however many documents read it.
// Must never keep settings in module scope.
import type { Connection } from 'vscode-languageserver';
import {
  defaultSettings,
  DeprecatedSettingsSection,
  settingsSchema,
  SettingsSection,
  type TelemetrySettings,
} from '../../../protocol/settings.js';
import { schemaChecks } from '../config/schema-check.js';
import type { ClientFeatures } from './capabilities.js';
import type { Logger } from './logger.js';

type Raw = Record<string, unknown>;

/** Settings as one source gave them: the new section's keys over the deprecated section's. */
interface Layers {
  current: Raw;
  deprecated: Raw;
}

export class SettingsStore {
  private readonly cache = new Map<string, Promise<TelemetrySettings>>();
  private readonly initial: Layers;
  /** Settings sent in didChangeConfiguration, for clients that cannot be asked. */
  private pushed: Layers = { current: {}, deprecated: {} };
  private deprecationLogged = false;
  /** Problems with values already shown: one message per wrong value and session, not one per document. */
  private readonly problemsShown = new Set<string>();

  constructor(
    private readonly connection: Connection,
    private readonly client: ClientFeatures,
    initializationOptions: unknown,
    private readonly logger: Logger,
  ) {
    this.initial = SettingsStore.sections(initializationOptions);
  }

  /**
   * `initializationOptions` and a didChangeConfiguration payload hold the section
   * (`{telemetryInjector: {...}}`, or the deprecated `{telemetry: {...}}`), or are the settings themselves.
   */
  static sections(options: unknown): Layers {
    if (!isObject(options)) return { current: {}, deprecated: {} };
    const current = options[SettingsSection];
    const deprecated = options[DeprecatedSettingsSection];
    if (!isObject(current) && !isObject(deprecated)) return { current: options, deprecated: {} };
    return { current: isObject(current) ? current : {}, deprecated: isObject(deprecated) ? deprecated : {} };
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
      this.pushed = SettingsStore.sections(payload);
    }
    this.cache.clear();
  }

  /**
   * The settings of the workspace as a whole (scoped to its first folder when there is one), for
   * what the server holds once per session (the LLM); read fresh each time, never cached.
   */
  forWorkspace(scopeUri: string | undefined): Promise<TelemetrySettings> {
    return this.read(scopeUri);
  }

  forget(uri: string): void {
    this.cache.delete(uri);
  }

  private async read(uri: string | undefined): Promise<TelemetrySettings> {
    let asked: Layers = this.pushed;
    if (this.client.configuration) {
      try {
        // One request for both sections; a client that knows neither answers null for it.
        const [current, deprecated] = await this.connection.workspace.getConfiguration([
          { section: SettingsSection, ...(uri !== undefined && { scopeUri: uri }) },
          { section: DeprecatedSettingsSection, ...(uri !== undefined && { scopeUri: uri }) },
        ]);
        asked = { current: isObject(current) ? current : {}, deprecated: isObject(deprecated) ? deprecated : {} };
      } catch (error) {
        this.logger.warn(`workspace/configuration failed, using initializationOptions: ${String(error)}`);
      }
    }
    return {
      ...defaultSettings,
      ...this.validated(this.initial, 'initializationOptions'),
      ...this.validated(asked, 'workspace/configuration'),
    };
  }

  /** The deprecated section's valid keys, then the new section's over them. */
  private validated(layers: Layers, origin: string): Partial<TelemetrySettings> {
    const deprecated = this.valid(layers.deprecated, origin, DeprecatedSettingsSection);
    if (Object.keys(deprecated).length > 0 && !this.deprecationLogged) {
      this.deprecationLogged = true;
      this.logger.warn(
        `the "${DeprecatedSettingsSection}" settings section is deprecated and will be ignored in the next release: ` +
          `move ${Object.keys(deprecated).map((key) => `${DeprecatedSettingsSection}.${key}`).join(', ')} to "${SettingsSection}"`,
      );
    }
    return { ...deprecated, ...this.valid(layers.current, origin, SettingsSection) };
  }

  /** The keys whose values match the schema; the others are shown once and dropped. */
  private valid(raw: Raw, origin: string, section: string): Partial<TelemetrySettings> {
    const { settings, problems } = validated(raw, section);
    for (const problem of problems) {
      // The same value comes from initializationOptions and workspace/configuration alike: one message.
      if (this.problemsShown.has(problem)) continue;
      this.problemsShown.add(problem);
      this.logger.show('warning', `${problem}. Fix it in the editor's settings (read from ${origin}).`);
    }
    return settings;
  }
}

/** Each key's schema, compiled on first use: the same checks an editor's settings UI makes. */
const checks = schemaChecks(settingsSchema.properties);

/** Keeps the keys whose values match the schema, and says what is wrong with the others. */
function validated(raw: Raw, section: string): { settings: Partial<TelemetrySettings>; problems: string[] } {
  const settings: Raw = {};
  const problems: string[] = [];
  for (const [key, check] of Object.entries(checks)) {
    const value = raw[key];
    if (value === undefined || value === null) continue;
    const problem = check(value)[0]?.message ?? (key === 'redact' ? regexProblem(value as string) : undefined);
    if (problem === undefined) settings[key] = value;
    // An object (the `llm` section) is not echoed whole: it may hold a key put there by mistake.
    else problems.push(`${section}.${key} is ignored: ${isObject(value) ? 'its value' : JSON.stringify(value)} does not match the schema (${problem.replace(/^the table /, '')}), so the default applies`);
  }
  return { settings: settings as Partial<TelemetrySettings>, problems };
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
