import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsSchema } from '../../protocol/settings.js';
import { teamFileSchema } from '../../protocol/team-file.js';
import { DEFAULT_REDACT, PROBE_KINDS } from '../../server/src/engine/types.js';
import { languages } from '../../server/src/languages/registry.js';

describe('the settings schema', () => {
  it('gives every key a type, a default and a description', () => {
    for (const [key, property] of Object.entries(settingsSchema.properties)) {
      expect(property, key).toHaveProperty('type');
      expect(property, key).toHaveProperty('default');
      expect(property.description.length, key).toBeGreaterThan(20);
    }
  });

  it('is where the server takes its defaults from', () => {
    expect(defaultSettings).toEqual({
      enable: true,
      severity: 'warning',
      include: ['**/*'],
      exclude: ['node_modules/**', '.git/**', 'dist/**', 'vendor/**'],
      runtimePath: '.',
      maxFileSize: 2 * 1024 * 1024,
      requireKinds: ['*'],
      require: null,
      rules: [],
      redact: null,
      configurationPreference: 'editorFirst',
      traceFiles: ['**/telemetry*.jsonl'],
      llm: {},
    });
  });

  it('names the engine probe kinds and languages, in the team file schema too', () => {
    const kinds = [...PROBE_KINDS];
    const ids = languages.map((l) => l.id).sort();
    const { definitions, properties } = teamFileSchema;
    expect(definitions.kind.enum).toEqual(kinds);
    expect([...definitions.language.enum].sort()).toEqual(ids);
    expect(properties.require.default).toEqual(kinds);
    expect(properties.redact.default).toBe(DEFAULT_REDACT);
    const settings = settingsSchema.properties;
    expect(settings.require.items.enum).toEqual(kinds);
    expect(settings.rules.items.properties.require.items.enum).toEqual(kinds);
    expect([...settings.rules.items.properties.languages.items.enum].sort()).toEqual(ids);
  });

  it('describes every key of the team file', () => {
    const described = (schema: { properties: Record<string, { description?: string }> }) =>
      Object.entries(schema.properties).filter(([, property]) => (property.description ?? '').length < 20).map(([key]) => key);
    expect(described(teamFileSchema)).toEqual([]);
    expect(described(teamFileSchema.definitions.rule)).toEqual([]);
  });
});
