// One server session: everything a handler may touch, created at initialize and passed to handlers.
// Reacts to document, file-system and configuration events by telling the stores, the workspace
// scan and the diagnostics. Owns the engine pool and stops it on shutdown.
// Must never be stored in module scope: startServer owns the only reference.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CodeLensRefreshRequest, DiagnosticRefreshRequest, type Connection, type InitializeParams } from 'vscode-languageserver';
import { TeamFileNames } from '../../../protocol/team-file.js';
import { PlanCache } from '../cache/plan-cache.js';
import { Engine } from '../engine/engine.js';
import { EnginePool } from '../pool/pool.js';
import { Analyzer } from './analyzer.js';
import { resolveClientFeatures, type ClientFeatures } from './capabilities.js';
import { PullResults, PushDiagnostics } from './diagnostics.js';
import { DocumentStore } from './documents.js';
import { createLogger, type Logger } from './logger.js';
import { RequirementStore } from './requirements.js';
import { RuntimeFiles } from './runtime-file.js';
import { LlmActions } from './llm-actions.js';
import { SettingsStore } from './settings.js';
import { TraceJoin } from './trace-join.js';
import { TraceSources } from './trace-sources.js';
import { TracedFunctions } from './traced-functions.js';
import { Workspace } from './workspace.js';
import { WorkspaceDiagnostics } from './workspace-diagnostics.js';
import { WorkspaceScanner, type ScanProgress } from './workspace-scan.js';
import { WorkspaceStore } from './workspace-store.js';
import { ServerStatsMonitor } from './server-stats.js';

const noProgress: ScanProgress = { begin: () => {}, report: () => {}, done: () => {} };

export class Session {
  readonly documents: DocumentStore;
  readonly settings: SettingsStore;
  /** Team files and the requirement settings, per document. */
  readonly requirements: RequirementStore;
  readonly analyzer: Analyzer;
  readonly runtime: RuntimeFiles;
  /** Only for clients without pull diagnostics: one delivery mode per client. */
  readonly push: PushDiagnostics | undefined;
  /** Only for clients with pull diagnostics: the result each open document's client holds. */
  readonly pulled = new PullResults();
  /** Parsing of files that are not open happens here, never on the main thread. */
  readonly pool: EnginePool;
  /** Coverage of the files on disk; no text, no trees. */
  readonly store = new WorkspaceStore();
  /** `telemetryInjector/stats`: the main thread's event-loop delay, for the benchmark. */
  readonly stats = new ServerStatsMonitor();
  readonly workspaceDiagnostics: WorkspaceDiagnostics;
  readonly scanner: WorkspaceScanner;
  /** The LLM side of "Add telemetry" (functions templates cannot serve). */
  readonly llm: LlmActions;
  /** Event files (the `traceFiles` setting), read as they grow, for lenses and hovers. */
  readonly traces: TraceSources;
  readonly traceJoin: TraceJoin;
  /** The control file's switches: `traced` diagnostics and the trace commands. */
  readonly traced: TracedFunctions;
  /** The first workspace folder: the scope of settings held once per session (the LLM's). */
  private readonly rootUri: string | undefined;

  private constructor(
    readonly connection: Connection,
    readonly client: ClientFeatures,
    readonly engine: Engine,
    readonly logger: Logger,
    params: InitializeParams,
    cacheDir?: string,
  ) {
    const folders = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
    this.documents = new DocumentStore(engine);
    this.settings = new SettingsStore(connection, client, params.initializationOptions, logger);
    this.requirements = new RequirementStore(logger);
    this.analyzer = new Analyzer(engine, this.documents, this.settings, this.requirements, Workspace.fromUris(folders), logger);
    this.runtime = new RuntimeFiles(engine, logger);
    this.traced = new TracedFunctions(() => this.refreshDiagnostics(), logger);
    const traced = (snap: Parameters<TracedFunctions['diagnostics']>[0]) => this.traced.diagnostics(snap);
    this.push = client.pullDiagnostics ? undefined : new PushDiagnostics(connection, this.analyzer, this.documents, logger, traced);
    this.pool = new EnginePool({ log: (message) => logger.warn(message) });
    this.workspaceDiagnostics = new WorkspaceDiagnostics(connection, client, this.store, this.documents, logger);
    this.scanner = new WorkspaceScanner({
      pool: this.pool,
      engine,
      settings: this.settings,
      requirements: this.requirements,
      roots: folders.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri)),
      store: this.store,
      listener: this.workspaceDiagnostics,
      logger,
      progress: () => connection.window.createWorkDoneProgress().catch(() => noProgress),
    });
    this.llm = new LlmActions(() => this, firstFolder(params), cacheDir);
    this.rootUri = folders[0];
    const roots = folders.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri));
    this.traces = new TraceSources(
      roots,
      async (root) => (await this.settings.forDocument(pathToFileURL(root).href)).traceFiles,
      logger,
      () => this.traceDataChanged(),
    );
    this.traceJoin = new TraceJoin(this.traces);
  }

  static async create(connection: Connection, params: InitializeParams): Promise<Session> {
    const client = resolveClientFeatures(params);
    const logger = createLogger(connection);
    const root = firstFolder(params);
    // Code actions plan from the cache: <root>/.telemetry_cache shared with other servers and the CLI.
    const log = (message: string) => logger.info(message);
    const cache = root ? PlanCache.forWorkspace(root, { log }) : new PlanCache({ log });
    const engine = await Engine.create({ cache });
    logger.info(`session for ${client.name}: ${client.pullDiagnostics ? 'pull' : 'push'} diagnostics`);
    return new Session(connection, client, engine, logger, params, cache.dir);
  }

  /** After `initialized`: the first workspace scan. */
  started(): void {
    this.llm.configure(this.settings.forWorkspace(this.rootUri));
    void this.scanner.scan();
    void this.traces.start();
  }

  /** New runtime figures: clients that can be told to ask for lenses again are (others ask on their own). */
  traceDataChanged(): void {
    if (!this.client.codeLensRefresh) return;
    this.connection
      .sendRequest(CodeLensRefreshRequest.type)
      .catch((error: unknown) => this.logger.warn(`code lens refresh failed: ${String(error)}`));
  }

  opened(uri: string): void {
    // Without a file watcher, opening and saving are the moments the disk is known to have changed
    // (team files included: they are read again for what is checked from now on).
    if (!this.client.watchFiles) this.requirements.reread();
    this.push?.schedule(uri, 0);
    if (!this.client.watchFiles) void this.scanner.refresh([uri]);
  }

  changed(uri: string): void {
    this.push?.schedule(uri);
  }

  saved(uri: string): void {
    if (this.client.watchFiles) return;
    if (isTeamFile(uri)) this.teamFilesChanged();
    else void this.scanner.refresh([uri]);
  }

  /** The buffer's diagnostics are cleared; the file's on disk (if the scan covers it) take their place. */
  closed(uri: string): void {
    this.settings.forget(uri);
    this.analyzer.forget(uri);
    this.traceJoin.forget(uri);
    this.push?.clear(uri);
    this.pulled.forget(uri);
    this.workspaceDiagnostics.closed(uri);
  }

  /**
   * didChangeConfiguration: settings (and team files) are read again, every open document is checked
   * again, and the workspace's files are judged again from the store's facts (or scanned again when
   * the settings change which files are scanned).
   */
  configurationChanged(payload: unknown): void {
    this.settings.changed(payload);
    this.llm.configure(this.settings.forWorkspace(this.rootUri));
    this.runtime.reset();
    this.teamFilesChanged();
    void this.traces.start();
  }

  /** A team file (telemetry.toml, pyproject.toml) changed on disk: what is required may have changed everywhere. */
  teamFilesChanged(): void {
    this.requirements.changed();
    void this.scanner.requirementsChanged();
    this.refreshDiagnostics();
  }

  /** Every open document's diagnostics again: pushed anew, or a refresh request to a pulling client. */
  refreshDiagnostics(): void {
    if (this.push) {
      for (const document of this.documents.all()) this.push.schedule(document.uri, 0);
    } else if (this.client.diagnosticRefresh) {
      this.connection
        .sendRequest(DiagnosticRefreshRequest.type)
        .catch((error: unknown) => this.logger.warn(`diagnostic refresh failed: ${String(error)}`));
    }
  }

  dispose(): void {
    this.traces.dispose();
    this.scanner.dispose();
    this.traced.dispose();
    this.workspaceDiagnostics.dispose();
    this.push?.dispose();
    this.stats.dispose();
    this.documents.dispose();
    // Workers are not terminated here: terminating one that is still compiling its grammars can
    // block this thread, and shutdown must answer. The exit notification ends the process and them.
    this.pool.close();
    void this.llm.dispose();
  }
}

/** telemetry.toml, .telemetry.toml or pyproject.toml, by URI. */
export function isTeamFile(uri: string): boolean {
  const name = decodeURIComponent(uri.slice(uri.lastIndexOf('/') + 1));
  return (TeamFileNames as readonly string[]).includes(name);
}

/** The first workspace folder on disk, where the plan cache lives. */
function firstFolder(params: InitializeParams): string | undefined {
  const uri = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
  return uri?.startsWith('file:') ? fileURLToPath(uri) : undefined;
}
