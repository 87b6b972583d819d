// Owns the workspace scan: which files are read from disk (../workspace/file-set.ts, the CLI's
// too), their analysis as pool tasks, the store their coverage lands in, and the work-done
// progress. Files are also read again one at a time: on a file-system event, or on open, save and
// close. When only requirements change, stored files are judged again from their facts
// (workspace-store.ts), none read.
// Stale work is dropped, never stored: each scan has a run that a newer scan, a cancelled progress
// or a shutdown stops (nothing more is dispatched), and each file has a generation (a result read
// before the file's latest read began is thrown away).
// Must never parse on the main thread, and never keep a file's text or tree after its task.
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { CancellationToken, WorkDoneProgressReporter } from 'vscode-languageserver';
import type { ScanOutcome } from '../../../protocol/commands.js';
import type { TelemetrySettings } from '../../../protocol/settings.js';
import type { Engine } from '../engine/engine.js';
import { functionIds } from '../engine/function-id.js';
import { TaskCancelled, WorkerFault, type EnginePool } from '../pool/pool.js';
import type { FileSummary } from '../pool/tasks.js';
import { isInside, type LimitNames } from '../workspace/file-filter.js';
import { FileSet, type ListedFile } from '../workspace/file-set.js';
import type { Logger } from './logger.js';
import type { RequirementStore } from './requirements.js';
import type { SettingsStore } from './settings.js';
import { judge, type FileFacts, type WorkspaceStore } from './workspace-store.js';

/** A progress reporter; `token` is set when the client may cancel it. */
export type ScanProgress = WorkDoneProgressReporter & { token?: CancellationToken };

/** Told what the scan changed, to deliver it. */
export interface ScanListener {
  /** The store's entry for `uri` changed or went away. */
  changed(uri: string): void;
  scanning(active: boolean): void;
}

export interface ScannerDeps {
  pool: EnginePool;
  engine: Engine;
  settings: SettingsStore;
  requirements: RequirementStore;
  /** Workspace folders, as paths. */
  roots: readonly string[];
  store: WorkspaceStore;
  listener: ScanListener;
  logger: Logger;
  progress(): Promise<ScanProgress>;
}

interface Run {
  stopped: boolean;
}

interface Folder {
  settings: TelemetrySettings;
  files: FileSet;
}

type ScannedFile = ListedFile & { settings: TelemetrySettings; root: string };

const names: LimitNames = { globs: 'telemetry.include/exclude', maxFileSize: 'telemetry.maxFileSize' };

/** The URI the store uses for a file, whatever spelling the client used. */
export function storeUri(uri: string): string {
  return uri.startsWith('file:') ? pathToFileURL(fileURLToPath(uri)).href : uri;
}

export class WorkspaceScanner {
  private current: { run: Run; done: Promise<ScanOutcome> } | undefined;
  private readonly generations = new Map<string, number>();
  private readonly folders = new Map<string, Promise<Folder>>();
  /** Reads of single files still under way: coverage waits for them as it waits for a scan. */
  private readonly refreshing = new Set<Promise<void>>();
  private disposed = false;
  /** Counts reapply() passes: an older pass still awaiting requirements must not overwrite a newer one. */
  private reapplies = 0;
  /** Files being judged again after a requirements change: requests wait for it as for a scan. */
  private reapplying: Promise<void> | undefined;

  constructor(private readonly deps: ScannerDeps) {}

  get scanning(): boolean {
    return this.current !== undefined;
  }

  /** Scans every folder again; an older scan still running stops and answers `cancelled`. */
  scan(progress?: ScanProgress): Promise<ScanOutcome> {
    if (this.current) this.current.run.stopped = true;
    else this.deps.listener.scanning(true);
    // Settings and .gitignore files are read afresh by every scan.
    this.folders.clear();
    const run: Run = { stopped: false };
    const done = this.runScan(run, progress)
      .catch((error: unknown): ScanOutcome => {
        this.deps.logger.error(`the workspace scan stopped: ${String(error)}`);
        return { files: 0, cancelled: true };
      })
      .finally(() => {
        if (this.current?.run !== run) return;
        this.current = undefined;
        this.deps.listener.scanning(false);
      });
    this.current = { run, done };
    return done;
  }

  /** Resolves true once no scan or single-file read is running, or false as soon as `token` is cancelled. */
  async settled(token?: CancellationToken): Promise<boolean> {
    for (let pending = this.pending(); pending; pending = this.pending()) {
      if (token?.isCancellationRequested) return false;
      let listener: { dispose(): void } | undefined;
      const cancelled = new Promise<'cancelled'>((resolve) => (listener = token?.onCancellationRequested(() => resolve('cancelled'))));
      const outcome = await Promise.race([pending, cancelled]);
      listener?.dispose();
      if (outcome === 'cancelled') return false;
    }
    return !token?.isCancellationRequested;
  }

  /** The scan, the judging again, or the single-file reads still under way, in that order. */
  private pending(): Promise<unknown> | undefined {
    return this.current?.done ?? this.reapplying ?? (this.refreshing.size > 0 ? Promise.all(this.refreshing) : undefined);
  }

  /** Reads these files from disk again (or forgets them when the scan would leave them out). */
  refresh(uris: readonly string[]): Promise<void> {
    const one = (uri: string) =>
      this.refreshOne(storeUri(uri)).catch((error: unknown) => this.deps.logger.error(`could not read ${uri} again: ${String(error)}`));
    const done = Promise.all(uris.map(one)).then(() => undefined);
    this.refreshing.add(done);
    return done.finally(() => this.refreshing.delete(done));
  }

  dispose(): void {
    this.disposed = true;
    if (this.current) this.current.run.stopped = true;
  }

  private async runScan(run: Run, given: ScanProgress | undefined): Promise<ScanOutcome> {
    const stale = () => run.stopped || this.disposed;
    if (this.deps.roots.length === 0) return { files: 0, cancelled: false };
    const progress = given ?? (await this.deps.progress());
    progress.begin('Telemetry: scanning the workspace', 0, 'listing files', true);
    progress.token?.onCancellationRequested(() => (run.stopped = true));
    const started = performance.now();
    let analysed = 0;
    try {
      const files = await this.list(stale);
      if (stale()) return { files: 0, cancelled: true };
      this.forgetAllBut(new Set(files.map((file) => storeUri(pathToFileURL(file.filePath).href))));
      let next = 0;
      let reported = 0;
      const lane = async () => {
        while (next < files.length && !stale()) {
          await this.analyse(files[next++]!);
          analysed++;
          if (performance.now() - reported > 200) {
            reported = performance.now();
            progress.report(Math.floor((100 * analysed) / files.length), `${analysed}/${files.length} files`);
          }
        }
      };
      // Twice the threads keeps every worker busy while the queue stays short: a stopped scan
      // leaves at most this many tasks behind, whose results the file generations then drop.
      await Promise.all(Array.from({ length: this.deps.pool.maxThreads * 2 }, lane));
      // A scan is a burst: the threads grew for it (heap, compiled code, tree memory) and would keep
      // that memory while idle. Fresh ones take the next tasks (server RSS, bench (f)). A scan that
      // analysed nothing grew nothing: its threads may still be starting.
      if (analysed > 0) this.deps.pool.recycle({ lazy: true });
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      if (!stale()) this.deps.logger.info(`workspace scan: ${analysed} files in ${seconds} s, ${this.deps.store.size} checked`);
      return { files: analysed, cancelled: stale() };
    } finally {
      progress.done();
    }
  }

  private async list(stale: () => boolean): Promise<ScannedFile[]> {
    const files: ScannedFile[] = [];
    for (const root of this.deps.roots) {
      const folder = await this.folder(root);
      if (!folder.settings.enable || stale()) continue;
      for (const file of await folder.files.list(root, stale)) files.push({ ...file, settings: folder.settings, root });
    }
    return files;
  }

  /** Files in the store that this scan did not list (deleted, ignored, excluded) leave it. */
  private forgetAllBut(listed: ReadonlySet<string>): void {
    for (const uri of this.deps.store.uris()) {
      if (listed.has(uri)) continue;
      this.bump(uri);
      if (this.deps.store.delete(uri)) this.deps.listener.changed(uri);
    }
  }

  private async refreshOne(uri: string): Promise<void> {
    if (!uri.startsWith('file:') || this.disposed) return;
    const filePath = fileURLToPath(uri);
    const root = this.deps.roots.filter((r) => isInside(filePath, r)).sort((a, b) => b.length - a.length)[0];
    if (root === undefined) return;
    const generation = this.bump(uri);
    const { settings, files } = await this.folder(root);
    const file = settings.enable ? await files.accepts(filePath) : undefined;
    if (file) return this.analyse({ ...file, settings, root });
    if (this.generations.get(uri) === generation && this.deps.store.delete(uri)) this.deps.listener.changed(uri);
  }

  private async analyse(file: ScannedFile): Promise<void> {
    const uri = storeUri(pathToFileURL(file.filePath).href);
    const generation = this.bump(uri);
    const { settings } = file;
    let summary: FileSummary | undefined;
    try {
      summary = await this.deps.pool.run({ kind: 'summarize', filePath: file.filePath, lang: file.lang, maxFileSize: settings.maxFileSize, names });
    } catch (error) {
      if (error instanceof TaskCancelled || this.generations.get(uri) !== generation) return;
      if (error instanceof WorkerFault) this.deps.logger.error(`${file.relPath} was left out of the workspace scan: ${error.message}`);
      else this.deps.logger.info(`${file.relPath} was left out of the workspace scan: ${String(error)}`);
    }
    if (this.generations.get(uri) !== generation || this.disposed) return; // a newer read of this file won
    if (!summary || 'skipped' in summary) {
      if (summary) this.deps.logger.debug(`skipped ${file.relPath}: ${summary.skipped}`);
      if (this.deps.store.delete(uri)) this.deps.listener.changed(uri);
      return;
    }
    const ids = functionIds(file.relPath, summary.functions);
    const functions = summary.functions.map((f, i) => ({ ...f, id: ids[i]! }));
    const facts: FileFacts = { uri, filePath: file.filePath, root: file.root, relPath: file.relPath, lang: file.lang, functions };
    const requirements = await this.deps.requirements.forFile(file, file.lang, settings);
    if (this.generations.get(uri) !== generation || this.disposed) return;
    if (this.deps.store.set(judge(facts, requirements, settings.severity))) this.deps.listener.changed(uri);
  }

  /**
   * Requirements changed (settings, team files): each stored file is judged again from the facts
   * the store keeps, without reading it. Settings that change which files are scanned (enable,
   * include, exclude, maxFileSize) start a scan instead, as does a change during a scan.
   */
  requirementsChanged(): Promise<void> {
    if (this.current) return this.scan().then(() => undefined);
    const pass = ++this.reapplies;
    const work = this.reapply(pass)
      .catch((error: unknown) => {
        this.deps.logger.error(`judging the workspace again failed, scanning it instead: ${String(error)}`);
        return false;
      })
      .then((done) => (done ? undefined : this.scan().then(() => undefined)))
      .finally(() => {
        if (this.reapplying === work) this.reapplying = undefined;
      });
    this.reapplying = work;
    return work;
  }

  private async reapply(pass: number): Promise<boolean> {
    const before = new Map(this.folders);
    this.folders.clear();
    for (const root of this.deps.roots) {
      const old = await before.get(root);
      const { settings } = await this.folder(root);
      if (!old || !sameFileSet(old.settings, settings)) return false;
    }
    await Promise.all(
      this.deps.store.all().map(async (entry) => {
        const generation = this.generations.get(entry.uri);
        const { settings } = await this.folder(entry.root);
        const requirements = await this.deps.requirements.forFile(entry, entry.lang, settings);
        // A newer read of the file (or a scan) owns the entry now.
        const stale = pass !== this.reapplies || this.disposed || this.current !== undefined;
        if (stale || this.generations.get(entry.uri) !== generation) return;
        const current = this.deps.store.get(entry.uri);
        if (current && this.deps.store.set(judge(current, requirements, settings.severity))) this.deps.listener.changed(entry.uri);
      }),
    );
    return true;
  }

  private bump(uri: string): number {
    const generation = (this.generations.get(uri) ?? 0) + 1;
    this.generations.set(uri, generation);
    return generation;
  }

  /** The folder's settings and file set, read once per scan. */
  private folder(root: string): Promise<Folder> {
    let folder = this.folders.get(root);
    if (!folder) {
      folder = this.deps.settings.forDocument(pathToFileURL(root).href).then((settings) => ({
        settings,
        files: new FileSet({
          root,
          include: settings.include,
          exclude: settings.exclude,
          useIgnoreFiles: true,
          otherRoots: this.deps.roots.filter((other) => other !== root),
          languages: this.deps.engine,
          unreadable: (fullPath, error) => this.deps.logger.warn(`the workspace scan cannot read ${fullPath}: ${String(error)}`),
        }),
      }));
      this.folders.set(root, folder);
    }
    return folder;
  }
}

/** Whether two settings scan the same files. */
function sameFileSet(a: TelemetrySettings, b: TelemetrySettings): boolean {
  const same = (x: readonly string[], y: readonly string[]) => x.length === y.length && x.every((item, i) => item === y[i]);
  return a.enable === b.enable && a.maxFileSize === b.maxFileSize && same(a.include, b.include) && same(a.exclude, b.exclude);
}
