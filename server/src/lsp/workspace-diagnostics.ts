// Owns the diagnostics of files that are not open, from the workspace store, in the client's one
// mode: pushed (publishDiagnostics without a version) as the store changes, or pulled through
// workspace/diagnostic (an unchanged report for each result id the client already holds), with a
// debounced workspace/diagnostic/refresh where the client takes it.
// Must never report a file that is open: its buffer, not the disk, owns its diagnostics.
import { fileURLToPath } from 'node:url';
import {
  DiagnosticRefreshRequest,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type WorkspaceDiagnosticParams,
  type WorkspaceDiagnosticReport,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import type { ClientFeatures } from './capabilities.js';
import { missingTelemetry, requestCancelled } from './diagnostics.js';
import type { DocumentStore } from './documents.js';
import type { Logger } from './logger.js';
import { storeUri, type ScanListener, type WorkspaceScanner } from './workspace-scan.js';
import type { FileEntry, WorkspaceStore } from './workspace-store.js';

export class WorkspaceDiagnostics implements ScanListener {
  private refreshTimer: NodeJS.Timeout | undefined;
  private scanRunning = false;
  /** After shutdown nothing more is sent: the client may already be gone. */
  private disposed = false;
  /** The store changed during a scan: one refresh once it ends. */
  private refreshPending = false;

  constructor(
    private readonly connection: Connection,
    private readonly client: ClientFeatures,
    private readonly store: WorkspaceStore,
    private readonly documents: DocumentStore,
    private readonly logger: Logger,
    private readonly refreshDelayMs = 300,
  ) {}

  changed(uri: string): void {
    if (this.disposed) return;
    if (this.client.pullDiagnostics) {
      this.refreshLater();
      return;
    }
    if (this.isOpen(uri)) return;
    const entry = this.store.get(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: entry ? diagnosticsOf(entry) : [] });
  }

  /**
   * A document closed: its file's diagnostics on disk (kept fresh by the watcher, or by open and
   * save) take the place of the buffer's.
   */
  closed(uri: string): void {
    const key = storeUri(uri);
    if (this.client.pullDiagnostics) {
      this.store.touch(key); // sent in full on the next workspace pull
      this.changed(key);
      return;
    }
    if (this.store.get(key)) this.changed(key);
  }

  scanning(active: boolean): void {
    this.scanRunning = active;
    if (!active && this.refreshPending) this.refreshLater();
  }

  /** workspace/diagnostic: answered once a running scan has finished; cancellable meanwhile. */
  async pull(scanner: WorkspaceScanner, params: WorkspaceDiagnosticParams, token: CancellationToken): Promise<WorkspaceDiagnosticReport> {
    if (!(await scanner.settled(token))) throw requestCancelled();
    const previous = new Map(params.previousResultIds.map(({ uri, value }) => [uri, value]));
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const entry of this.store.all()) {
      if (this.isOpen(entry.uri)) continue;
      const { uri, resultId } = entry;
      if (previous.get(uri) === resultId) items.push({ kind: 'unchanged', uri, version: null, resultId });
      else items.push({ kind: 'full', uri, version: null, resultId, items: diagnosticsOf(entry) });
    }
    // Files the client still holds results for, that are gone from the store: cleared once.
    for (const uri of previous.keys()) {
      if (!this.store.get(uri) && !this.isOpen(uri)) items.push({ kind: 'full', uri, version: null, items: [] });
    }
    return { items };
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.refreshTimer);
  }

  private refreshLater(): void {
    if (!this.client.diagnosticRefresh || this.disposed) return;
    if (this.scanRunning) {
      this.refreshPending = true;
      return;
    }
    this.refreshPending = false;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.connection
        .sendRequest(DiagnosticRefreshRequest.type)
        .catch((error: unknown) => this.logger.warn(`diagnostic refresh was refused: ${String(error)}`));
    }, this.refreshDelayMs);
  }

  /** Open under any spelling of its URI (clients escape paths differently). */
  private isOpen(uri: string): boolean {
    if (this.documents.get(uri)) return true;
    if (!uri.startsWith('file:')) return false;
    const filePath = fileURLToPath(uri);
    return this.documents.all().some((d) => d.uri.startsWith('file:') && fileURLToPath(d.uri) === filePath);
  }
}

function diagnosticsOf(entry: FileEntry): Diagnostic[] {
  return entry.missing.map((m) => missingTelemetry(m.range, m.name, entry.severity, { id: m.id, require: entry.require, lacks: m.lacks }));
}
