import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

const Severity = { Error: 1, Warning: 2, Hint: 4 };
const MessageType = { Warning: 2 };
let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

async function start(editor: string, options: { initializationOptions?: unknown; settings?: Record<string, unknown> } = {}) {
  workspace = makeWorkspace();
  client = await LspClient.start({ editor, workspace, ...options });
  return client;
}

describe('settings', () => {
  it.each(['neovim-0.7.2', 'zed-main-38df25d5'])('take the severity from initializationOptions (%s)', async (editor) => {
    const c = await start(editor, { initializationOptions: { telemetryInjector: { severity: 'error' } } });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const diagnostics = await c.diagnostics(document);
    expect(diagnostics.map((d) => d.severity)).toEqual([1, 1, 1, 1].map(() => Severity.Error));
  });

  it('are asked with the telemetryInjector section (and the deprecated telemetry one) and the document as scopeUri', async () => {
    const c = await start('vscode-languageclient-11.0.0', { settings: { telemetryInjector: { severity: 'hint' } } });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    expect((await c.diagnostics(document))[0]!.severity).toBe(Severity.Hint);
    const asked = c.requests.filter((r) => r.method === 'workspace/configuration').map((r) => r.params);
    expect(asked).toContainEqual({
      items: [
        { section: 'telemetryInjector', scopeUri: document.uri },
        { section: 'telemetry', scopeUri: document.uri },
      ],
    });
  });

  it.each(['helix-25.07.1', 'zed-main-38df25d5', 'neovim-0.11.0'])(
    'are read again on didChangeConfiguration, changing severity and exclusions (%s)',
    async (editor) => {
      const c = await start(editor, { settings: { telemetryInjector: { severity: 'warning' } } });
      const python = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
      const go = await c.open(path.join(workspace, 'go/greeter.go'), 'go');
      expect((await c.diagnostics(python))[0]!.severity).toBe(Severity.Warning);

      c.settings = { telemetryInjector: { severity: 'error', exclude: ['python/**'] } };
      await c.notify('workspace/didChangeConfiguration', { settings: null });
      if (c.pulls) {
        expect(await c.diagnostics(python)).toEqual([]);
        expect((await c.diagnostics(go)).map((d) => d.severity)).toEqual([Severity.Error, Severity.Error]);
      } else {
        await c.waitFor(() => (c.lastPush(python.uri)?.diagnostics.length === 0 ? true : undefined));
        await c.waitFor(() => (c.lastPush(go.uri)?.diagnostics[0]?.severity === Severity.Error ? true : undefined));
      }
      expect(await c.codeActions(python, { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } })).toEqual([]);
    },
  );

  it('ignore a value that does not match the schema and keep the default, showing it once as a warning however many documents read it', async () => {
    // VS Code sends the same settings as initializationOptions and on workspace/configuration.
    const wrong = { telemetryInjector: { severity: 'loud', enable: true } };
    const c = await start('vscode-languageclient-9.0.1', { settings: wrong, initializationOptions: wrong });
    const python = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    const go = await c.open(path.join(workspace, 'go/greeter.go'), 'go');
    expect((await c.diagnostics(python))[0]!.severity).toBe(Severity.Warning);
    expect((await c.diagnostics(go))[0]!.severity).toBe(Severity.Warning);
    const shown = c.messages(MessageType.Warning).filter((message) => message.includes('telemetryInjector.severity'));
    expect(shown).toHaveLength(1);
    expect(shown[0]).toContain('"loud" does not match the schema');
    expect(c.logs().filter((line) => line.includes('telemetryInjector.severity'))).toHaveLength(1);
  });

  it('turn everything off with enable: false', async () => {
    const c = await start('helix-master-079a789e', { settings: { telemetryInjector: { enable: false } } });
    const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
    expect(await c.diagnostics(document)).toEqual([]);
    expect(await c.codeActions(document, { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } })).toEqual([]);
  });

  it('limit the required function kinds to requireKinds', async () => {
    const c = await start('vscode-languageclient-11.0.0', { settings: { telemetryInjector: { requireKinds: ['method_definition'] } } });
    const document = await c.open(path.join(workspace, 'javascript/greeter.js'), 'javascript');
    expect((await c.diagnostics(document)).map((d) => d.message)).toEqual([
      '`Counter.constructor` lacks telemetry',
      '`Counter.bump` lacks telemetry',
    ]);
  });

  describe('from the deprecated telemetry section', () => {
    const deprecation = (line: string) => line.includes('"telemetry" settings section is deprecated');

    it('still apply, with one deprecation line that names the keys to move', async () => {
      const c = await start('vscode-languageclient-9.0.1', { settings: { telemetry: { severity: 'error' } } });
      const python = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
      const go = await c.open(path.join(workspace, 'go/greeter.go'), 'go');
      expect((await c.diagnostics(python))[0]!.severity).toBe(Severity.Error);
      expect((await c.diagnostics(go))[0]!.severity).toBe(Severity.Error);
      const lines = c.logs().filter(deprecation);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toContain('move telemetry.severity to "telemetryInjector"');
    });

    it('give way to the telemetryInjector section where both set a key (initializationOptions, neovim-0.7.2)', async () => {
      const c = await start('neovim-0.7.2', {
        initializationOptions: { telemetry: { severity: 'error', enable: true }, telemetryInjector: { severity: 'hint' } },
      });
      const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
      expect((await c.diagnostics(document)).map((d) => d.severity)).toEqual([1, 1, 1, 1].map(() => Severity.Hint));
      expect(c.logs().filter(deprecation)).toHaveLength(1);
    });

    it('log nothing about deprecation when only telemetryInjector is set', async () => {
      const c = await start('vscode-languageclient-11.0.0', {
        // VS Code answers its own telemetry.* settings for the old section: none of them is ours.
        settings: { telemetryInjector: { severity: 'hint' }, telemetry: { telemetryLevel: 'all' } },
      });
      const document = await c.open(path.join(workspace, 'python/greeter.py'), 'python');
      expect((await c.diagnostics(document))[0]!.severity).toBe(Severity.Hint);
      expect(c.logs().filter(deprecation)).toEqual([]);
    });
  });
});
