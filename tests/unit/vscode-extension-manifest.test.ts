// The VS Code extension's manifest (clients/vscode/package.json) against the protocol: every server
// setting contributed with the schema's type, default, enum and items (as bash-language-server
// checks its own), the commands, activation, trust and team-file validation; and the server lookup
// order of clients/vscode/src/server-path.ts. Reads files only: no VS Code, no build.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { chooseServer, failureMessage, type ServerFacts } from '../../clients/vscode/src/server-path.js';
import settingsSchema from '../../protocol/settings-schema.json' with { type: 'json' };
import { repoRoot } from '../protocol/lsp-client.js';

interface Contributed {
  type?: unknown;
  default?: unknown;
  enum?: unknown;
  items?: unknown;
  minimum?: unknown;
  minLength?: unknown;
  uniqueItems?: unknown;
  scope?: string;
  markdownDescription?: string;
}

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, 'clients/vscode/package.json'), 'utf8')) as {
  engines: { vscode: string };
  main: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: unknown; restrictedConfigurations: string[] } };
  contributes: {
    configuration: { properties: Record<string, Contributed> };
    commands: { command: string; title: string }[];
    tomlValidation: { fileMatch: string; url: string }[];
  };
  devDependencies: Record<string, string>;
};
const contributed = manifest.contributes.configuration.properties;
const schemaProperties = settingsSchema.properties as Record<string, Record<string, unknown>>;

describe('the VS Code extension manifest', () => {
  it.each(Object.keys(schemaProperties))('contributes telemetryInjector.%s exactly as the settings schema defines it', (key) => {
    const setting = contributed[`telemetryInjector.${key}`];
    expect(setting, `telemetryInjector.${key} is not contributed`).toBeDefined();
    const { description, ...shape } = schemaProperties[key]!;
    const { scope, markdownDescription, ...contributedShape } = setting!;
    expect(contributedShape).toEqual(shape);
    expect(markdownDescription).toBe(description);
    expect(scope).toBe('resource');
  });

  it('contributes no server setting the schema does not know, besides the client-only path and trace', () => {
    const extra = Object.keys(contributed)
      .map((key) => key.replace(/^telemetryInjector\./, ''))
      .filter((key) => !(key in schemaProperties));
    expect(extra.sort()).toEqual(['path', 'trace.server']);
    expect(Object.keys(contributed).every((key) => key.startsWith('telemetryInjector.'))).toBe(true);
  });

  it('lets a machine override the server path and restricts it and the LLM settings in untrusted workspaces', () => {
    expect(contributed['telemetryInjector.path']!.scope).toBe('machine-overridable');
    expect(manifest.capabilities.untrustedWorkspaces.supported).toBe('limited');
    // A workspace's own llm.baseUrl could send the user's key from the environment to its server.
    expect(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations).toEqual(['telemetryInjector.path', 'telemetryInjector.llm']);
  });

  it('activates on the eight language ids and on a team file', () => {
    expect(manifest.activationEvents.sort()).toEqual(
      ['go', 'java', 'javascript', 'javascriptreact', 'python', 'rust', 'typescript', 'typescriptreact'].map((id) => `onLanguage:${id}`).concat('workspaceContains:**/telemetry.toml').sort(),
    );
  });

  it('contributes the restart, output, scan, add, remove and show-trace commands, none clashing with the server commands the client registers', () => {
    const commands = manifest.contributes.commands.map((c) => c.command);
    expect(commands).toEqual([
      'telemetryInjector.restartServer',
      'telemetryInjector.showOutput',
      'telemetryInjector.scanWorkspaceFolders',
      'telemetryInjector.addToActiveFile',
      'telemetryInjector.removeFromActiveFile',
      'telemetryInjector.showTrace',
    ]);
    expect(manifest.contributes.commands.find((c) => c.command === 'telemetryInjector.showTrace')).toMatchObject({ category: 'Telemetry', title: 'Show Trace' });
    const serverCommands = ['telemetryInjector.addToFile', 'telemetryInjector.removeFromFile', 'telemetryInjector.scanWorkspace'];
    expect(commands.filter((c) => serverCommands.includes(c))).toEqual([]);
  });

  it('validates telemetry.toml with the team file schema the build copies from protocol/', () => {
    expect(manifest.contributes.tomlValidation).toEqual([{ fileMatch: 'telemetry.toml', url: './dist/team-file-schema.json' }]);
    const build = fs.readFileSync(path.join(repoRoot, 'clients/vscode/build.mjs'), 'utf8');
    expect(build).toContain("'protocol/team-file-schema.json'");
  });

  it('targets VS Code 1.82 with vscode-languageclient 9 and pinned tools', () => {
    expect(manifest.engines.vscode).toBe('^1.82.0');
    expect(manifest.devDependencies['vscode-languageclient']).toMatch(/^9\.\d+\.\d+$/);
    expect(manifest.devDependencies['@vscode/vsce']).toMatch(/^3\.9\.\d+$/);
    for (const version of Object.values(manifest.devDependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('documents the opt-in fix-all on save in its README', () => {
    const readme = fs.readFileSync(path.join(repoRoot, 'clients/vscode/README.md'), 'utf8');
    expect(readme).toContain('"source.fixAll.telemetry": "explicit"');
  });
});

describe('the VS Code extension server lookup', () => {
  const facts = (overrides: Partial<ServerFacts> & { present?: string[] }): ServerFacts => ({
    setting: '',
    trusted: true,
    folders: ['/ws'],
    bundled: '/ext/dist/server/main.js',
    nodeVersion: '20.12.0',
    exists: (file) => (overrides.present ?? ['/ext/dist/server/main.js']).includes(file),
    join: (...parts) => path.posix.join(...parts),
    isAbsolute: path.posix.isAbsolute,
    ...overrides,
  });

  it('runs the server the path setting names, even when the workspace has one', () => {
    const present = ['/opt/ti', '/ws/node_modules/.bin/telemetry-injector', '/ext/dist/server/main.js'];
    expect(chooseServer(facts({ setting: '/opt/ti', present }))).toEqual({ kind: 'executable', command: '/opt/ti', origin: 'setting' });
  });

  it('takes a relative path setting from the first workspace folder', () => {
    expect(chooseServer(facts({ setting: 'tools/ti', present: ['/ws/tools/ti'] }))).toEqual({ kind: 'executable', command: '/ws/tools/ti', origin: 'setting' });
  });

  it('names the setting when the path it sets does not exist, and starts nothing', () => {
    const choice = chooseServer(facts({ setting: '/nowhere/ti' }));
    expect(choice.kind).toBe('missing');
    expect(choice.kind === 'missing' && choice.message).toContain('"telemetryInjector.path"');
    expect(choice.kind === 'missing' && choice.message).toContain('/nowhere/ti');
  });

  it("prefers the workspace's node_modules/.bin over the bundled server", () => {
    const present = ['/ws/node_modules/.bin/telemetry-injector', '/ext/dist/server/main.js'];
    expect(chooseServer(facts({ present }))).toEqual({ kind: 'executable', command: '/ws/node_modules/.bin/telemetry-injector', origin: 'workspace' });
  });

  it("never runs the workspace's node_modules/.bin in an untrusted workspace", () => {
    const present = ['/ws/node_modules/.bin/telemetry-injector', '/ext/dist/server/main.js'];
    expect(chooseServer(facts({ trusted: false, present }))).toEqual({ kind: 'bundled', module: '/ext/dist/server/main.js' });
  });

  it('honours the path setting in an untrusted workspace, where VS Code gives only the user-level value', () => {
    const present = ['/opt/ti', '/ext/dist/server/main.js'];
    expect(chooseServer(facts({ trusted: false, setting: '/opt/ti', present }))).toEqual({ kind: 'executable', command: '/opt/ti', origin: 'setting' });
  });

  it("refuses the bundled server on a VS Code whose Node is older than 20.12, naming the setting", () => {
    const choice = chooseServer(facts({ nodeVersion: '18.15.0' }));
    expect(choice.kind).toBe('missing');
    expect(choice.kind === 'missing' && choice.message).toContain('Node 20.12 or later, and this VS Code runs Node 18.15.0');
    expect(choice.kind === 'missing' && choice.message).toContain('"telemetryInjector.path"');
    expect(chooseServer(facts({ nodeVersion: '22.1.0' })).kind).toBe('bundled');
  });

  it('refuses a relative path setting in an untrusted workspace, where it would name a workspace file', () => {
    const choice = chooseServer(facts({ trusted: false, setting: 'tools/ti', present: ['/ws/tools/ti', '/ext/dist/server/main.js'] }));
    expect(choice.kind).toBe('missing');
    expect(choice.kind === 'missing' && choice.message).toContain('"telemetryInjector.path"');
  });

  it('says which server failed and which setting to fix', () => {
    const fromSetting = failureMessage({ kind: 'executable', command: '/opt/ti', origin: 'setting' }, 'stopped');
    expect(fromSetting).toContain('"telemetryInjector.path" (/opt/ti) stopped');
    expect(failureMessage({ kind: 'bundled', module: '/m.js' }, 'stopped')).toContain('Set "telemetryInjector.path"');
  });
});
