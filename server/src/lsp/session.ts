// One server session: everything a handler may touch, created at initialize and passed to handlers.
// Reacts to document and configuration events by telling the stores and the diagnostics.
// Must never be stored in module scope: startServer owns the only reference.
import { DiagnosticRefreshRequest, type Connection, type InitializeParams } from 'vscode-languageserver';
import { Engine } from '../engine/engine.js';
import { Analyzer } from './analyzer.js';
import { resolveClientFeatures, type ClientFeatures } from './capabilities.js';
import { PushDiagnostics } from './diagnostics.js';
import { DocumentStore } from './documents.js';
import { createLogger, type Logger } from './logger.js';
import { RuntimeFiles } from './runtime-file.js';
import { SettingsStore } from './settings.js';
import { Workspace } from './workspace.js';

export class Session {
  readonly documents: DocumentStore;
  readonly settings: SettingsStore;
  readonly analyzer: Analyzer;
  readonly runtime: RuntimeFiles;
  /** Only for clients without pull diagnostics: one delivery mode per client. */
  readonly push: PushDiagnostics | undefined;

  private constructor(
    readonly connection: Connection,
    readonly client: ClientFeatures,
    readonly engine: Engine,
    readonly logger: Logger,
    params: InitializeParams,
  ) {
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    const initial = SettingsStore.fromInitializationOptions(params.initializationOptions);
    this.documents = new DocumentStore(engine);
    this.settings = new SettingsStore(connection, client, initial, logger);
    this.analyzer = new Analyzer(engine, this.documents, this.settings, Workspace.fromUris(folders), logger);
    this.runtime = new RuntimeFiles(engine, logger);
    this.push = client.pullDiagnostics ? undefined : new PushDiagnostics(connection, this.analyzer, this.documents, logger);
  }

  static async create(connection: Connection, params: InitializeParams): Promise<Session> {
    const client = resolveClientFeatures(params);
    const logger = createLogger(connection);
    const engine = await Engine.create();
    logger.info(`session for ${client.name}: ${client.pullDiagnostics ? 'pull' : 'push'} diagnostics`);
    return new Session(connection, client, engine, logger, params);
  }

  opened(uri: string): void {
    this.push?.schedule(uri, 0);
  }

  changed(uri: string): void {
    this.push?.schedule(uri);
  }

  closed(uri: string): void {
    this.settings.forget(uri);
    this.analyzer.forget(uri);
    this.push?.clear(uri);
  }

  /** didChangeConfiguration: settings are read again and every open document is checked again. */
  configurationChanged(payload: unknown): void {
    this.settings.changed(payload);
    this.runtime.reset();
    if (this.push) {
      for (const document of this.documents.all()) this.push.schedule(document.uri, 0);
    } else if (this.client.diagnosticRefresh) {
      this.connection
        .sendRequest(DiagnosticRefreshRequest.type)
        .catch((error: unknown) => this.logger.warn(`diagnostic refresh failed: ${String(error)}`));
    }
  }

  dispose(): void {
    this.push?.dispose();
    this.documents.dispose();
  }
}
