// The LLM in the language server, driven over stdio with a loopback model behind the real OpenAI
// SDK: a Java function (no templates) keeps its "Add telemetry" action, titled with the model; the
// command runs the LLM with $/progress and applies only a checked proposal; while the model is
// slow, other requests are answered, and cancelling the command edits nothing. Without a provider
// the action says why. Pull (VS Code) and push (Neovim 0.7) clients alike. Provider, model and URL
// may come from the settings alone (initializationOptions, then didChangeConfiguration); a key put
// there is ignored and never echoed, and an unusable setting keeps the configuration in force.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CancellationTokenSource, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import { Engine } from '../../server/src/engine/engine.js';
import { startOpenAiLoopback, type Loopback } from '../llm/loopback/index.js';
import { templateModel } from '../llm/propose/template-model.js';
import { LspClient, repoRoot, type OpenDocument } from './lsp-client.js';

const source = fs.readFileSync(path.join(repoRoot, 'fixtures/java/Calc.java'), 'utf8');
const hand = fs.readFileSync(path.join(repoRoot, 'fixtures/java/instrumented/Calc.java'), 'utf8');
const KEY = 'sk-test-LSP0123456789abcdefNEVERSHOWN';

function cleanEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('LLM_') || k.endsWith('_API_KEY')) delete env[k];
  return env;
}

async function addAction(client: LspClient, document: OpenDocument, name: string): Promise<CodeAction> {
  const diagnostics = await client.diagnostics(document);
  const line = document.text.split('\n').findIndex((l) => new RegExp(`\\b${name}\\(`).test(l) && !l.includes('.' + name));
  const diagnostic = diagnostics.find((d: Diagnostic) => d.range.start.line === line)!;
  expect(diagnostic, name).toBeDefined();
  const actions = await client.codeActions(document, diagnostic.range, undefined, [diagnostic]);
  return actions.find((a) => a.title.startsWith(`Add telemetry to \`Calc.${name}\``))!;
}

describe.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])('the LLM behind "Add telemetry" for %s', (editor) => {
  let engine: Engine;
  let loopback: Loopback;
  let stall = false;
  let workspace: string;
  let client: LspClient;
  let document: OpenDocument;

  beforeAll(async () => {
    engine = await Engine.create();
    await engine.ready('java');
    workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-llm-'));
    fs.writeFileSync(path.join(workspace, 'Calc.java'), source);
    loopback = await startOpenAiLoopback({
      answer: templateModel(engine, { root: workspace, handInstrumented: { 'Calc.java': hand } }),
      fault: () => (stall ? { kind: 'stall' } : undefined),
    });
    const env = { ...cleanEnv(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: KEY };
    client = await LspClient.start({ editor, workspace, env });
    document = await client.open(path.join(workspace, 'Calc.java'), 'java', source);
  });

  afterAll(async () => {
    await client.shutdown();
    await loopback.close();
    fs.rmSync(workspace, { recursive: true, force: true });
  });

  it('offers the action titled with the model, and the command applies a checked proposal with progress', async () => {
    const action = await addAction(client, document, 'add');
    expect(action.title).toBe('Add telemetry to `Calc.add` (gpt-4o-mini)');
    expect(action.edit).toBeUndefined();
    expect(action.command?.command).toBe('telemetryInjector.addWithLlm');
    // Offering it asked nothing of the model.
    expect(loopback.calls).toHaveLength(0);
    await client.request('workspace/executeCommand', action.command);
    expect(loopback.calls.length).toBeGreaterThan(0);
    expect(client.requests.some((r) => r.method === 'workspace/applyEdit')).toBe(true);
    const doc = client.documents.get(document.uri)!;
    const start = hand.indexOf('    int add(');
    expect(doc.text).toContain(hand.slice(start, hand.indexOf('\n    }\n', start)));
    type Progress = { token: unknown; value: { kind: string; title?: string } };
    const all = client.notifications.filter((n) => n.method === '$/progress').map((n) => n.params as Progress);
    const begin = all.find((p) => p.value.title === 'Add telemetry to Calc.add')!;
    expect(begin.value).toMatchObject({ kind: 'begin', message: 'asking gpt-4o-mini', cancellable: true });
    expect(all.filter((p) => p.token === begin.token).map((p) => p.value.kind)).toEqual(['begin', 'end']);
    expect(JSON.stringify(client.notifications)).not.toContain(KEY);
    document = doc;
  });

  it('answers other requests while the model is slow, and a cancelled command edits nothing', async () => {
    const action = await addAction(client, document, 'evens');
    const applied = client.requests.filter((r) => r.method === 'workspace/applyEdit').length;
    const before = client.documents.get(document.uri)!.text;
    stall = true;
    const calls = loopback.calls.length;
    const cancel = new CancellationTokenSource();
    const running = client.request('workspace/executeCommand', action.command, cancel.token).then(
      () => 'done',
      (error: { code?: number }) => `error ${error.code}`,
    );
    await loopback.waitForCalls(calls + 1);
    // The model has the request and is silent: diagnostics and code actions are still answered.
    expect((await client.diagnostics(document)).length).toBeGreaterThan(0);
    expect((await client.codeActions(document, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } })).length).toBeGreaterThanOrEqual(0);
    cancel.cancel();
    expect(await running).toMatch(/^(error -32800|done)$/);
    stall = false;
    await client.fence();
    expect(client.requests.filter((r) => r.method === 'workspace/applyEdit')).toHaveLength(applied);
    expect(client.documents.get(document.uri)!.text).toBe(before);
  });
});

describe('the LLM action without a provider', () => {
  it.each(['vscode-languageclient-11.0.0', 'neovim-0.7.2'])('says why for %s', async (editor) => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-nollm-'));
    const client = await LspClient.start({ editor, workspace, env: cleanEnv() });
    try {
      const document = await client.open(path.join(workspace, 'Calc.java'), 'java', source);
      const action = await addAction(client, document, 'add');
      expect(action.title).toBe('Add telemetry to `Calc.add` (needs an LLM)');
      if (action.disabled) {
        expect(action.disabled.reason).toMatch(/^The LLM is not configured: no LLM provider configured/);
      } else {
        await client.request('workspace/executeCommand', action.command);
        expect(client.messages().join('\n')).toMatch(/needs the LLM, which is not configured \(no LLM provider configured/);
      }
      expect(client.requests.some((r) => r.method === 'workspace/applyEdit')).toBe(false);
    } finally {
      await client.shutdown();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe('a function whose template plan fails, for a client that takes edits eagerly', () => {
  it('still gets its "Add telemetry" action, titled with the model and running the LLM command', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-repair-'));
    const env = { ...cleanEnv(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: 'http://127.0.0.1:9/v1', OPENAI_API_KEY: KEY };
    const client = await LspClient.start({
      editor: 'neovim-0.7.2',
      workspace,
      env,
      // Without resolve support every edit is computed when actions are offered.
      patch: (params) => {
        delete (params.capabilities.textDocument!.codeAction as { resolveSupport?: unknown }).resolveSupport;
      },
    });
    try {
      // `f` calls the runtime by hand: strip would remove that call, so its template plan fails.
      const text = 'def f(x):\n    return _tm.ret(__tel, (x))\n';
      const document = await client.open(path.join(workspace, 'a.py'), 'python', text);
      const [diagnostic] = await client.diagnostics(document);
      const actions = await client.codeActions(document, diagnostic!.range, undefined, [diagnostic!]);
      const add = actions.find((a) => a.title.startsWith('Add telemetry to `f`'))!;
      expect(add.title).toBe('Add telemetry to `f` (gpt-4o-mini)');
      expect(add.command?.command).toBe('telemetryInjector.addWithLlm');
      expect(add.edit).toBeUndefined();
    } finally {
      await client.shutdown();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe('a function whose template plan fails, for a client that resolves edits lazily', () => {
  it('asks the LLM in codeAction/resolve, and a proposal that fails the checks is disabled with the reason', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-resolve-'));
    const text = 'def f(x):\n    return _tm.ret(__tel, (x))\n';
    fs.writeFileSync(path.join(workspace, 'a.py'), text);
    const engine = await Engine.create();
    await engine.ready('python');
    const loopback = await startOpenAiLoopback({ answer: templateModel(engine, { root: workspace }) });
    const env = { ...cleanEnv(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: KEY };
    const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, env });
    try {
      const document = await client.open(path.join(workspace, 'a.py'), 'python', text);
      const [diagnostic] = await client.diagnostics(document);
      const actions = await client.codeActions(document, diagnostic!.range, undefined, [diagnostic!]);
      const add = actions.find((a) => a.title === 'Add telemetry to `f`')!;
      // Offering it asked nothing of the model; resolving it does.
      expect(loopback.calls).toHaveLength(0);
      const resolved = await client.resolve(add);
      expect(loopback.calls.map((c) => /rejected/.test(c.prompt))).toEqual([false, true, true]);
      expect(resolved.edit).toBeUndefined();
      expect(resolved.disabled?.reason).toMatch(/^Could not add telemetry to `f`: /);
    } finally {
      await client.shutdown();
      await loopback.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});

describe('the LLM configured only in the settings', () => {
  it('names the model of initializationOptions, then the one didChangeConfiguration sets, and never uses or echoes a key put in settings', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-llm-settings-'));
    fs.writeFileSync(path.join(workspace, 'Calc.java'), source);
    const engine = await Engine.create();
    await engine.ready('java');
    const loopback = await startOpenAiLoopback({ answer: templateModel(engine, { root: workspace, handInstrumented: { 'Calc.java': hand } }) });
    const settingsKey = 'sk-test-SETTINGS0123456789NEVERUSED';
    const llm = (model: string) => ({ provider: 'openai', model, baseUrl: loopback.url, timeout: 30, apiKey: settingsKey });
    // The environment holds no LLM variable at all: provider, model and URL come from the settings.
    const client = await LspClient.start({
      editor: 'vscode-languageclient-11.0.0',
      workspace,
      env: cleanEnv(),
      initializationOptions: { telemetryInjector: { llm: llm('model-from-init') } },
    });
    try {
      let document = await client.open(path.join(workspace, 'Calc.java'), 'java', source);
      expect((await addAction(client, document, 'add')).title).toBe('Add telemetry to `Calc.add` (model-from-init)');

      client.settings = { telemetryInjector: { llm: llm('model-from-change') } };
      await client.notify('workspace/didChangeConfiguration', { settings: null });
      const action = await addAction(client, document, 'add');
      expect(action.title).toBe('Add telemetry to `Calc.add` (model-from-change)');
      await client.request('workspace/executeCommand', action.command);
      expect(loopback.calls.length).toBeGreaterThan(0);
      expect(loopback.calls.every((c) => c.model === 'model-from-change')).toBe(true);
      expect(client.requests.some((r) => r.method === 'workspace/applyEdit')).toBe(true);
      document = client.documents.get(document.uri)!;
      expect(document.text).toContain('__tel');

      // The key is named as ignored, never sent to the model and never shown.
      expect(client.messages().join('\n')).toContain('telemetryInjector.llm.apiKey ignored');
      expect(JSON.stringify(loopback.calls.map((c) => c.headers))).not.toContain(settingsKey);
      expect(JSON.stringify(client.notifications)).not.toContain(settingsKey);
    } finally {
      await client.shutdown();
      await loopback.close();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });

  it('keeps the configuration in force, with one warning, when a setting gives an unusable base URL', async () => {
    const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-llm-bad-'));
    const env = { ...cleanEnv(), LLM_PROVIDER: 'openai', LLM_MODEL: 'model-from-env', LLM_BASE_URL: 'http://127.0.0.1:9/v1' };
    const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, env });
    try {
      const document = await client.open(path.join(workspace, 'Calc.java'), 'java', source);
      expect((await addAction(client, document, 'add')).title).toBe('Add telemetry to `Calc.add` (model-from-env)');
      client.settings = { telemetryInjector: { llm: { model: 'model-from-change', baseUrl: 'ftp://example.invalid/' } } };
      await client.notify('workspace/didChangeConfiguration', { settings: null });
      expect((await addAction(client, document, 'add')).title).toBe('Add telemetry to `Calc.add` (model-from-env)');
      await client.notify('workspace/didChangeConfiguration', { settings: null });
      await client.fence();
      const warnings = client.messages(2).filter((m) => m.includes('telemetryInjector.llm.baseUrl'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/is not an http or https URL; the LLM configuration in force is kept/);
    } finally {
      await client.shutdown();
      fs.rmSync(workspace, { recursive: true, force: true });
    }
  });
});
