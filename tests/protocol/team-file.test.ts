import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { Diagnostic } from 'vscode-languageserver';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

const MessageType = { Error: 1 };
const FileChangeType = { Changed: 2 };
const everyKind = ['function', 'variable', 'branch', 'loop', 'exception'];
const pythonFunctions = ['greet', 'Counter.__init__', 'Counter.bump', 'fetch'];
const lacksTelemetry = (names: string[]) => names.map((name) => `\`${name}\` lacks telemetry`);

let client: LspClient | undefined;
let workspace: string;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  removeWorkspace(workspace);
});

interface Start {
  editor?: string;
  files?: Record<string, string>;
  settings?: Record<string, unknown>;
}

async function start({ editor = 'vscode-languageclient-11.0.0', files = {}, settings }: Start = {}): Promise<LspClient> {
  workspace = makeWorkspace();
  for (const [rel, text] of Object.entries(files)) write(rel, text);
  client = await LspClient.start({ editor, workspace, settings: settings && { telemetryInjector: settings } });
  return client;
}

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(workspace, rel)), { recursive: true });
  fs.writeFileSync(path.join(workspace, rel), text);
}

const open = (c: LspClient, rel: string, languageId = rel.split('/')[0]!) => c.open(path.join(workspace, rel), languageId);
const messages = (diagnostics: Diagnostic[]) => diagnostics.map((d) => d.message);

/** The document's diagnostics once `accept` takes them among pushes, or pulled once the server has handled what came before. */
async function settledDiagnostics(c: LspClient, document: OpenDocument, accept: (messages: string[]) => boolean): Promise<string[]> {
  if (!c.pulls) {
    const push = await c.waitFor(() => {
      const last = c.lastPush(document.uri, document.version);
      return last && accept(messages(last.diagnostics)) ? last : undefined;
    });
    return messages(push.diagnostics);
  }
  // A pull after the server has handled the change (the team file is read again on demand).
  await c.fence();
  return messages(await c.diagnostics(document));
}

describe('the team file in the language server', () => {
  it.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])('decides what is required, per language (%s)', async (editor) => {
    const c = await start({ editor, files: { 'telemetry.toml': 'require = []\n\n[[rules]]\nlanguages = ["go"]\nrequire = ["function"]\n' } });
    const python = await open(c, 'python/greeter.py');
    const go = await open(c, 'go/greeter.go');
    expect(messages(await c.diagnostics(python))).toEqual([]);
    expect(messages(await c.diagnostics(go))).toEqual(lacksTelemetry(['Greet', 'Counter.Bump']));
    expect(await c.codeActions(python, { start: { line: 4, character: 4 }, end: { line: 4, character: 4 } }, ['quickfix'])).toEqual([]);
  });

  it('takes the nearest team file above each document', async () => {
    const c = await start({ files: { 'telemetry.toml': 'require = []\n', 'go/telemetry.toml': 'require = ["function", "loop"]\n' } });
    expect(messages(await c.diagnostics(await open(c, 'python/greeter.py')))).toEqual([]);
    expect(messages(await c.diagnostics(await open(c, 'go/greeter.go')))).toEqual(lacksTelemetry(['Greet', 'Counter.Bump']));
  });

  it('reads [tool.telemetry] from pyproject.toml and matches rule paths from its folder', async () => {
    const pyproject = '[project]\nname = "demo"\n\n[tool.telemetry]\nrequire = ["function"]\n\n[[tool.telemetry.rules]]\npaths = ["python/**"]\nrequire = []\n';
    const c = await start({ files: { 'pyproject.toml': pyproject } });
    expect(messages(await c.diagnostics(await open(c, 'python/greeter.py')))).toEqual([]);
    expect(messages(await c.diagnostics(await open(c, 'go/greeter.go')))).toHaveLength(2);
  });

  it('puts the required kinds and what the function lacks in the diagnostic data', async () => {
    const c = await start({ files: { 'telemetry.toml': 'require = ["exception", "function"]\n' } });
    const [first] = await c.diagnostics(await open(c, 'python/greeter.py'));
    expect(first).toMatchObject({ message: '`greet` lacks telemetry', data: { require: ['function', 'exception'], lacks: ['function'] } });
  });

  it('counts the files on disk with the team file’s requirements in telemetry/coverage', async () => {
    const c = await start({ files: { 'telemetry.toml': 'require = []\n[[rules]]\npaths = ["go/**"]\nrequire = ["function"]\n' } });
    const coverage = await c.request<{ total: { missing: number }; files: { path: string; missing: number }[] }>('telemetry/coverage', {});
    expect(coverage.total.missing).toBe(2);
    expect(coverage.files.filter((f) => f.missing > 0).map((f) => f.path)).toEqual(['go/greeter.go']);
  });

  it('is read again when the watcher reports it changed', async () => {
    const c = await start({ files: { 'telemetry.toml': 'require = []\n' } });
    const python = await open(c, 'python/greeter.py');
    expect(messages(await c.diagnostics(python))).toEqual([]);
    write('telemetry.toml', 'require = ["function"]\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(workspace, 'telemetry.toml')).href, type: FileChangeType.Changed }] });
    expect(await settledDiagnostics(c, python, (m) => m.length === 4)).toEqual(lacksTelemetry(pythonFunctions));
  });

  it('is pushed again to a client that watches files once it changes (helix-25.07.1)', async () => {
    const c = await start({ editor: 'helix-25.07.1', files: { 'telemetry.toml': 'require = ["function"]\n' } });
    const python = await open(c, 'python/greeter.py');
    expect(messages(await c.diagnostics(python))).toHaveLength(4);
    write('telemetry.toml', 'require = []\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(workspace, 'telemetry.toml')).href, type: FileChangeType.Changed }] });
    expect(await settledDiagnostics(c, python, (m) => m.length === 0)).toEqual([]);
  });
});

describe('precedence between the editor settings and the team file', () => {
  const team = { 'telemetry.toml': 'require = []\n' };

  it('lets the editor settings win by default (editorFirst)', async () => {
    const c = await start({ files: team, settings: { require: ['function'] } });
    expect(messages(await c.diagnostics(await open(c, 'python/greeter.py')))).toEqual(lacksTelemetry(pythonFunctions));
  });

  it('lets the team file win with filesystemFirst', async () => {
    const c = await start({ files: team, settings: { require: ['function'], configurationPreference: 'filesystemFirst' } });
    expect(messages(await c.diagnostics(await open(c, 'python/greeter.py')))).toEqual([]);
  });

  it('keeps the team file where the editor sets nothing, and ignores it with editorOnly', async () => {
    const c = await start({ files: team, settings: { severity: 'hint' } });
    const python = await open(c, 'python/greeter.py');
    expect(messages(await c.diagnostics(python))).toEqual([]);
    c.settings = { telemetryInjector: { configurationPreference: 'editorOnly' } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    expect(messages(await c.diagnostics(python))).toEqual(lacksTelemetry(pythonFunctions));
  });

  it('applies the editor’s own rules after the team file’s, relative to the workspace folder', async () => {
    const c = await start({
      files: { 'telemetry.toml': 'require = ["function"]\n' },
      settings: { rules: [{ paths: ['python/**'], require: [] }] },
    });
    expect(messages(await c.diagnostics(await open(c, 'python/greeter.py')))).toEqual([]);
    expect(messages(await c.diagnostics(await open(c, 'go/greeter.go')))).toHaveLength(2);
  });

  it('ignores a redact setting that is not a regular expression, with a log line', async () => {
    const c = await start({ settings: { redact: '(secret' } });
    expect(await c.diagnostics(await open(c, 'python/greeter.py'))).toHaveLength(4);
    expect(c.logs().some((line) => line.includes('telemetryInjector.redact') && line.includes('regular expression'))).toBe(true);
  });
});

describe('a bad team file in the language server', () => {
  it.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])(
    'is shown once with its file, line and column, and the defaults apply (%s)',
    async (editor) => {
      const c = await start({ editor, files: { 'telemetry.toml': '# team\nrequires = ["function"]\n' } });
      const python = await open(c, 'python/greeter.py');
      expect(messages(await c.diagnostics(python))).toEqual(lacksTelemetry(pythonFunctions));
      await open(c, 'go/greeter.go');
      await c.waitFor(() => (c.messages(MessageType.Error).length > 0 ? true : undefined));
      const shown = c.messages(MessageType.Error);
      expect(shown).toHaveLength(1);
      expect(shown[0]).toContain(`${path.join(workspace, 'telemetry.toml')}:2:1: unknown key \`requires\` (did you mean \`require\`?)`);
      expect(shown[0]).toContain('defaults apply');
    },
  );

  it('keeps the server answering, and counts once fixed', async () => {
    const c = await start({ files: { 'telemetry.toml': 'require = [\n' } });
    const python = await open(c, 'python/greeter.py');
    expect(await c.diagnostics(python)).toHaveLength(4);
    await c.waitFor(() => (c.messages(MessageType.Error).some((m) => m.includes('telemetry.toml:2:1: invalid TOML')) ? true : undefined));
    write('telemetry.toml', 'require = []\n');
    await c.notify('workspace/didChangeWatchedFiles', { changes: [{ uri: pathToFileURL(path.join(workspace, 'telemetry.toml')).href, type: FileChangeType.Changed }] });
    expect(await settledDiagnostics(c, python, (m) => m.length === 0)).toEqual([]);
  });
});

// These need the engine to find deep kinds missing (FunctionSite.missing beyond `function`) and
// Engine.add to honour EngineOptions.kinds.
describe('deep requirements in the language server', () => {
  const calc = 'def parse(text):\n    return text.split(",")\n\n\ndef total(items):\n    n = 0\n    for item in items:\n        n += item\n    return n\n';

  it('names the deep kinds a function with an entry probe lacks, and the quickfix adds only those', async () => {
    const c = await start({ files: { 'python/calc.py': calc }, settings: { require: ['function'] } });
    const document = await open(c, 'python/calc.py');
    const [parse, total] = await c.diagnostics(document);
    expect([parse?.message, total?.message]).toEqual(lacksTelemetry(['parse', 'total']));

    // Entry probes only, for both functions.
    const [fixAll] = await c.codeActions(document, total!.range, ['source.fixAll']);
    await c.apply((await c.editOf(fixAll!))!);
    expect(await c.diagnostics(document)).toEqual([]);

    c.settings = { telemetryInjector: { require: ['function', 'loop'] } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    const [lacksLoop] = await c.diagnostics(document);
    expect(lacksLoop).toMatchObject({ message: '`total` lacks loop telemetry', data: { require: ['function', 'loop'], lacks: ['loop'] } });

    const quickfixes = await c.codeActions(document, lacksLoop!.range, ['quickfix'], [lacksLoop!]);
    const add = quickfixes.find((a) => a.title === 'Add telemetry to `total`');
    await c.apply((await c.editOf(add!))!);
    expect(await c.diagnostics(document)).toEqual([]);

    // The quickfix added the loop probe, and not the variable probes nobody required.
    c.settings = { telemetryInjector: { require: everyKind } };
    await c.notify('workspace/didChangeConfiguration', { settings: null });
    expect(messages(await c.diagnostics(document))).toEqual(['`total` lacks variable telemetry']);
  });

  it('writes probes with the redact pattern of the settings, which win over the team file’s', async () => {
    const c = await start({ files: { 'python/calc.py': calc, 'telemetry.toml': 'redact = "^item$"\n' }, settings: { redact: '^n$' } });
    const document = await open(c, 'python/calc.py');
    const [, total] = await c.diagnostics(document);
    const quickfixes = await c.codeActions(document, total!.range, ['quickfix'], [total!]);
    await c.apply((await c.editOf(quickfixes.find((a) => a.title === 'Add telemetry to `total`')!))!);
    expect(document.text).toMatch(/_tm\.var\(__tel, [^,]+, "n"\)/);
    expect(document.text).toMatch(/_tm\.var\(__tel, [^,]+, "item", item\)/);
  });
});
