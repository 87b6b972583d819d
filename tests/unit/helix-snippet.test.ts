// The Helix snippets (clients/helix/*.toml) checked against Helix's own languages.toml, as recorded in
// helix-languages.json (Helix cannot run here): every server named is defined, every language exists,
// and each language keeps Helix's defaults, since a user's list replaces them instead of appending.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import helix from './helix-languages.json' with { type: 'json' };

interface LanguageEntry {
  name: string;
  'language-servers'?: (string | { name: string })[];
  'code-actions-on-save'?: string[];
}
interface Snippet {
  'language-server'?: Record<string, { command?: string; args?: string[]; config?: Record<string, unknown> }>;
  language?: LanguageEntry[];
}

const clientDir = path.resolve(import.meta.dirname, '../../clients/helix');
const read = (file: string): Snippet => parse(fs.readFileSync(path.join(clientDir, file), 'utf8')) as Snippet;
const snippet = read('languages.toml');
const onSave = read('on-save.toml');
const serverNames = (entry: LanguageEntry): string[] =>
  (entry['language-servers'] ?? []).map((s) => (typeof s === 'string' ? s : s.name));
const languagesWanted = Object.keys(helix.defaults).sort();

describe('the Helix languages.toml snippet', () => {
  it('defines telemetry-injector with lsp --stdio and its settings under the telemetryInjector section', () => {
    const server = snippet['language-server']?.['telemetry-injector'];
    expect(server?.command).toBe('node_modules/.bin/telemetry-injector');
    expect(server?.args).toEqual(['lsp', '--stdio']);
    expect(Object.keys(server?.config ?? {})).toEqual(['telemetryInjector']);
  });

  it('adds the server to python, javascript, jsx, typescript, tsx, go, java and rust, each once', () => {
    const names = (snippet.language ?? []).map((l) => l.name).sort();
    expect(names).toEqual(languagesWanted);
    for (const entry of snippet.language ?? []) expect(serverNames(entry).filter((s) => s === 'telemetry-injector')).toHaveLength(1);
  });

  it("restates Helix's default servers of each language, in order, before telemetry-injector", () => {
    for (const entry of snippet.language ?? []) {
      const defaults = helix.defaults[entry.name as keyof typeof helix.defaults]['language-servers'];
      expect(serverNames(entry), entry.name).toEqual([...defaults, 'telemetry-injector']);
    }
  });

  it('names only servers that the snippet or Helix defines', () => {
    const defined = new Set([...Object.keys(snippet['language-server'] ?? {}), ...helix.languageServers]);
    const undefinedNames = (snippet.language ?? []).flatMap(serverNames).filter((s) => !defined.has(s));
    expect(undefinedNames).toEqual([]);
  });

  it("names only languages in Helix's list", () => {
    const known = new Set(helix.languages);
    for (const file of [snippet, onSave]) expect((file.language ?? []).map((l) => l.name).filter((n) => !known.has(n))).toEqual([]);
  });

  it('keeps code-actions-on-save out of the main snippet, because Helix 25.07 rejects the key', () => {
    for (const entry of snippet.language ?? []) expect(entry).not.toHaveProperty('code-actions-on-save');
  });
});

describe('the Helix on-save snippet (Helix master)', () => {
  it("runs source.fixAll.telemetry on save in every language, after Helix's default on-save actions", () => {
    expect((onSave.language ?? []).map((l) => l.name).sort()).toEqual(languagesWanted);
    for (const entry of onSave.language ?? []) {
      const defaults: string[] = (helix.defaults[entry.name as keyof typeof helix.defaults] as LanguageEntry)['code-actions-on-save'] ?? [];
      expect(entry['code-actions-on-save'], entry.name).toEqual([...defaults, 'source.fixAll.telemetry']);
    }
  });
});
