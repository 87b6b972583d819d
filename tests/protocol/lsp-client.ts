// A small LSP client for protocol tests: spawns the real server (dist/) over stdio, sends the
// `initialize` params an editor really sends (tests/protocol/editors), answers only the
// server->client requests that editor declares, and records everything else as unhandled.
// Must never import server code: it sees the server only through the protocol.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-languageserver/node.js';
import type {
  CancellationToken,
  CodeAction,
  Diagnostic,
  InitializeParams,
  InitializeResult,
  PublishDiagnosticsParams,
  Range,
  WorkspaceEdit,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { applyWorkspaceEdit } from './workspace-edit.js';

/** The package root: found by walking up, so this also works compiled into dist/ (the benchmark). */
export const repoRoot = findRoot(path.dirname(fileURLToPath(import.meta.url)));
export const capabilitiesDir = path.join(repoRoot, 'tests/protocol/editors');
const serverMain = path.join(repoRoot, 'dist/server/src/lsp/main.js');

export interface ClientOptions {
  /** A file name in tests/protocol/editors, without `.json`. */
  editor: string;
  workspace: string;
  initializationOptions?: unknown;
  /** What workspace/configuration answers, by top-level section. */
  settings?: Record<string, unknown>;
  /** Test-only changes to the editor's real params (e.g. to take a capability away). */
  patch?: (params: InitializeParams) => void;
  /** Run the server as this user and group (a root test run drops to an unprivileged user). */
  user?: { uid: number; gid: number };
  /** Another build of the server's stdio entry (the VS Code extension's bundled one); dist/ by default. */
  server?: string;
  /** The server's environment (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

export interface OpenDocument {
  uri: string;
  languageId: string;
  version: number;
  text: string;
}

export interface Message {
  method: string;
  params: unknown;
}

export class LspClient {
  readonly notifications: Message[] = [];
  readonly requests: Message[] = [];
  readonly unhandled: Message[] = [];
  readonly documents = new Map<string, OpenDocument>();
  /** The last full pull report per document: its result id and items. */
  private readonly pulled = new Map<string, { resultId: string; items: Diagnostic[] }>();
  settings: Record<string, unknown>;
  initializeResult!: InitializeResult;
  private stderr = '';
  private shuttingDown = false;
  private died: string | undefined;
  private readonly waiters = new Set<() => void>();

  private constructor(
    readonly params: InitializeParams,
    private readonly process: ChildProcess,
    private readonly connection: MessageConnection,
    options: ClientOptions,
  ) {
    this.settings = options.settings ?? {};
  }

  static async start(options: ClientOptions): Promise<LspClient> {
    const params = editorParams(options.editor, options.workspace);
    if (options.initializationOptions !== undefined) params.initializationOptions = options.initializationOptions;
    options.patch?.(params);
    const child = spawn(process.execPath, [options.server ?? serverMain, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'], ...options.user, ...(options.env && { env: options.env }) });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout!), new StreamMessageWriter(child.stdin!));
    const client = new LspClient(params, child, connection, options);
    child.stderr!.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    // A server that dies unasked fails what waits on it at once, with its stderr, instead of at the
    // test's timeout (vscode-jsonrpc leaves requests pending when the stream closes).
    child.once('exit', (code, signal) => {
      if (client.shuttingDown) return;
      client.died = `the server exited unasked (code ${code}, signal ${signal}); stderr:\n${client.stderr}`;
      connection.dispose();
      for (const waiter of [...client.waiters]) waiter();
    });
    client.answerDeclaredRequests();
    connection.listen();
    client.initializeResult = await connection.sendRequest('initialize', params);
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** The server's process id (the benchmark reads its memory). */
  get pid(): number | undefined {
    return this.process.pid;
  }

  get name(): string {
    return this.params.clientInfo?.name ?? '';
  }

  /** The server chose pull diagnostics for this client. */
  get pulls(): boolean {
    return this.initializeResult.capabilities.diagnosticProvider !== undefined;
  }

  logs(): string[] {
    return this.notifications
      .filter((n) => n.method === 'window/logMessage')
      .map((n) => (n.params as { message: string }).message);
  }

  messages(type?: number): string[] {
    return this.notifications
      .filter((n) => n.method === 'window/showMessage' && (type === undefined || (n.params as { type: number }).type === type))
      .map((n) => (n.params as { message: string }).message);
  }

  async open(filePath: string, languageId: string, text = fs.readFileSync(filePath, 'utf8')): Promise<OpenDocument> {
    const document = { uri: pathToFileURL(filePath).href, languageId, version: 1, text };
    this.documents.set(document.uri, document);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { ...document } });
    return document;
  }

  /** Sends the difference as one incremental change, as editors do. */
  async change(document: OpenDocument, text: string): Promise<void> {
    const limit = Math.min(text.length, document.text.length);
    // Whole chunks first, then characters: the benchmark times this client too, and an editor knows its change.
    const CHUNK = 256;
    let start = 0;
    while (start + CHUNK <= limit && text.slice(start, start + CHUNK) === document.text.slice(start, start + CHUNK)) start += CHUNK;
    while (start < limit && text[start] === document.text[start]) start++;
    let suffix = 0;
    const tail = (s: string) => s.slice(s.length - suffix - CHUNK, s.length - suffix);
    while (suffix + CHUNK <= limit - start && tail(text) === tail(document.text)) suffix += CHUNK;
    while (suffix < limit - start && text[text.length - 1 - suffix] === document.text[document.text.length - 1 - suffix]) suffix++;
    // No LSP position lies between a CR and its LF: widen the change to hold the whole line break.
    const insideCrlf = (at: number) => document.text[at - 1] === '\r' && document.text[at] === '\n';
    if (insideCrlf(start)) start--;
    if (insideCrlf(document.text.length - suffix)) suffix--;
    // Positions up to the change's end read only the text before it (that end is never inside a \r\n).
    const end = document.text.length - suffix;
    const old = TextDocument.create(document.uri, document.languageId, document.version, document.text.slice(0, end));
    const range = { start: old.positionAt(start), end: old.positionAt(end) };
    document.version++;
    document.text = text;
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri: document.uri, version: document.version },
      contentChanges: [{ range, text: text.slice(start, text.length - suffix) }],
    });
  }

  async close(document: OpenDocument): Promise<void> {
    this.documents.delete(document.uri);
    this.pulled.delete(document.uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri: document.uri } });
  }

  /** Current diagnostics of the document: pulled, or the push for its current version. */
  async diagnostics(document: OpenDocument): Promise<Diagnostic[]> {
    if (this.pulls) {
      // As vscode-languageclient does: name the result held, and keep it when the server says `unchanged`.
      const held = this.pulled.get(document.uri);
      const report = await this.connection.sendRequest<{ kind: string; resultId?: string; items?: Diagnostic[] }>('textDocument/diagnostic', {
        textDocument: { uri: document.uri },
        ...(held && { previousResultId: held.resultId }),
      });
      if (report.kind === 'unchanged' && held) return [...held.items];
      const items = report.items ?? [];
      if (report.resultId !== undefined) this.pulled.set(document.uri, { resultId: report.resultId, items });
      else this.pulled.delete(document.uri);
      return items;
    }
    const push = await this.waitFor(() => this.lastPush(document.uri, document.version));
    return push.diagnostics;
  }

  lastPush(uri: string, version?: number): PublishDiagnosticsParams | undefined {
    return this.notifications
      .filter((n) => n.method === 'textDocument/publishDiagnostics')
      .map((n) => n.params as PublishDiagnosticsParams)
      .filter((p) => p.uri === uri && (version === undefined || p.version === version))
      .at(-1);
  }

  async codeActions(document: OpenDocument, range: Range, only?: string[], diagnostics: Diagnostic[] = []): Promise<CodeAction[]> {
    const actions = await this.connection.sendRequest<CodeAction[] | null>('textDocument/codeAction', {
      textDocument: { uri: document.uri },
      range,
      context: { diagnostics, ...(only && { only }), triggerKind: 1 },
    });
    return actions ?? [];
  }

  resolve(action: CodeAction): Promise<CodeAction> {
    return this.connection.sendRequest('codeAction/resolve', action);
  }

  /** Resolves the action when it comes without an edit, as editors with resolveSupport do. */
  async editOf(action: CodeAction): Promise<WorkspaceEdit | undefined> {
    return action.edit ?? (action.data !== undefined ? (await this.resolve(action)).edit : undefined);
  }

  /** Applies the edit as the editor would (versions checked), then tells the server about the new text. */
  async apply(edit: WorkspaceEdit): Promise<void> {
    for (const [document, text] of applyWorkspaceEdit(edit, this.documents)) await this.change(document, text);
  }

  /** Cancelling `token` sends $/cancelRequest, as editors do for stale requests. */
  request<R>(method: string, params: unknown, token?: CancellationToken): Promise<R> {
    return token ? this.connection.sendRequest(method, params, token) : this.connection.sendRequest(method, params);
  }

  notify(method: string, params: unknown): Promise<void> {
    return this.connection.sendNotification(method, params);
  }

  /**
   * Proves the server has handled every message sent before: JSON-RPC answers in order, so once a
   * request the server does not know comes back as MethodNotFound, what the earlier notifications
   * did synchronously (sending a refresh, clearing diagnostics) has reached this client.
   */
  async fence(): Promise<void> {
    await this.connection.sendRequest('telemetryTest/fence').then(
      () => {
        throw new Error('the server answered a method it does not have');
      },
      (error: { code?: number }) => {
        if (error.code !== -32601) throw error;
      },
    );
  }

  /**
   * Proves every debounced publication scheduled before has been sent or dropped: a change to a
   * sentinel document is debounced like any other, and timers with the same delay fire in order.
   * Push clients only.
   */
  async pushFence(): Promise<void> {
    const uri = 'untitled:telemetry-fence';
    let sentinel = this.documents.get(uri);
    if (!sentinel) {
      sentinel = { uri, languageId: 'plaintext', version: 1, text: '' };
      this.documents.set(uri, sentinel);
      await this.connection.sendNotification('textDocument/didOpen', { textDocument: { ...sentinel } });
    }
    await this.change(sentinel, `${sentinel.text}.`);
    const version = sentinel.version;
    await this.waitFor(() => this.lastPush(uri, version));
  }

  /**
   * Polls `probe` whenever a message arrives, until it returns something or the time is up. The
   * bound only matters when the awaited message never comes: generous, so that a loaded machine
   * (workers starting, files parsed in the pool, debounce timers firing late) is never a failure.
   */
  waitFor<T>(probe: () => T | undefined, timeoutMs = 30_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.died) {
          clearTimeout(timer);
          this.waiters.delete(check);
          reject(new Error(this.died));
          return;
        }
        const value = probe();
        if (value === undefined) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`timed out waiting; server stderr:\n${this.stderr}\nlogs:\n${this.logs().join('\n')}`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Shuts the server down and fails when the server sent anything this editor would not have handled. */
  async shutdown(): Promise<number | null> {
    if (this.died) throw new Error(this.died);
    this.shuttingDown = true;
    const exited = new Promise<number | null>((resolve) => this.process.once('exit', (code) => resolve(code)));
    await this.connection.sendRequest('shutdown');
    await this.connection.sendNotification('exit');
    const code = await exited;
    this.connection.dispose();
    if (this.unhandled.length > 0) {
      throw new Error(`${this.name} would not have handled: ${JSON.stringify(this.unhandled, null, 1)}`);
    }
    return code;
  }

  private record(list: Message[], method: string, params: unknown): void {
    list.push({ method, params });
    for (const waiter of [...this.waiters]) waiter();
  }

  /** Answers what the editor declares (plus what it answers undeclared); anything else is unhandled. */
  private answerDeclaredRequests(): void {
    const { capabilities } = this.params;
    const neovim = this.name === 'Neovim';
    const zed = this.name === 'Zed';
    const refresh =
      capabilities.workspace?.diagnostics?.refreshSupport ||
      (capabilities.workspace as { diagnostic?: { refreshSupport?: boolean } } | undefined)?.diagnostic?.refreshSupport;
    const dynamic = JSON.stringify(capabilities).includes('"dynamicRegistration":true');
    const answers: Record<string, ((params: any) => unknown) | false | undefined> = {
      'workspace/configuration': (capabilities.workspace?.configuration || neovim) && ((params) => this.configuration(params, neovim, zed)),
      'client/registerCapability': dynamic && (() => null),
      'client/unregisterCapability': dynamic && (() => null),
      'window/workDoneProgress/create': capabilities.window?.workDoneProgress && (() => null),
      'workspace/diagnostic/refresh': refresh && (() => null),
      'workspace/codeLens/refresh': capabilities.workspace?.codeLens?.refreshSupport && (() => null),
      'workspace/applyEdit': capabilities.workspace?.applyEdit && ((params: { edit: WorkspaceEdit }) => this.applyEditRequest(params.edit)),
    };
    this.connection.onRequest((method, params) => {
      const answer = answers[method];
      this.record(answer ? this.requests : this.unhandled, method, params);
      if (!answer) throw new Error(`${this.name} does not handle ${method}`);
      return answer(params);
    });
    const known = ['textDocument/publishDiagnostics', 'window/logMessage', 'window/showMessage', '$/progress', 'telemetry/event'];
    this.connection.onNotification((method, params) => {
      this.record(known.includes(method) ? this.notifications : this.unhandled, method, params);
    });
    // vscode-jsonrpc keeps $/progress from onNotification; progress for tokens nobody listens to lands here.
    this.connection.onUnhandledProgress((params) => this.record(this.notifications, '$/progress', params));
  }

  private configuration(params: { items: { section?: string }[] }, neovim: boolean, zed: boolean): unknown[] {
    // Neovim leaves out items without a section; Zed looks sections up as top-level keys only.
    const items = neovim ? params.items.filter((item) => item.section) : params.items;
    return items.map((item) => {
      if (!item.section) return this.settings;
      if (zed) return this.settings[item.section] ?? null;
      return item.section.split('.').reduce<unknown>((value, key) => (value as Record<string, unknown> | undefined)?.[key], this.settings) ?? null;
    });
  }

  private async applyEditRequest(edit: WorkspaceEdit): Promise<{ applied: boolean; failureReason?: string }> {
    try {
      await this.apply(edit);
      return { applied: true };
    } catch (error) {
      return { applied: false, failureReason: String(error) };
    }
  }
}

/** The editor's real initialize params, pointed at `workspace` and at this process. */
export function editorParams(editor: string, workspace: string): InitializeParams {
  const params = JSON.parse(fs.readFileSync(path.join(capabilitiesDir, `${editor}.json`), 'utf8')) as InitializeParams;
  const uri = pathToFileURL(workspace).href;
  params.processId = process.pid;
  params.rootUri = uri;
  if ('rootPath' in params) params.rootPath = workspace;
  params.workspaceFolders = [{ uri, name: path.basename(workspace) }];
  return params;
}

function findRoot(dir: string): string {
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('package.json not found above the test client');
    dir = parent;
  }
  return dir;
}
