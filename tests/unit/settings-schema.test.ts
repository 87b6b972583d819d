import { describe, expect, it } from 'vitest';
import { defaultSettings, settingsSchema } from '../../protocol/settings.js';

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
    });
  });
});
