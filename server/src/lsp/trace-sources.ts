// Owns the event files the language server reads for lenses and hovers: which files (the
// `traceFiles` globs under each workspace folder, plus TELEMETRY_FILE from the folder's `.env`),
// watching them, reading only what was appended, and keeping each file's runs. A run is one
// generation of one event file: when a file is truncated or replaced, what it held becomes that
// file's previous run (one is kept per file). Listeners hear of new data at most once a second.
// Must never read a whole file again when it grew, never block a request on a read, and never
// throw on what a file holds (bad lines are skipped and counted by the tail reader).
import fs from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import picomatch from 'picomatch';
import { TraceAggregator } from '../trace/aggregate.js';
import { TailReader } from '../trace/tail-reader.js';
import type { Logger } from './logger.js';

/** The most often listeners hear of new data. */
export const REFRESH_INTERVAL_MS = 1000;
/** How often a watched file's size is checked (fs.watchFile polls; inotify misses some writers). */
const POLL_MS = 500;
const SKIPPED_DIRS = new Set(['node_modules', '.git', 'dist', 'vendor', '.telemetry_cache']);
const WALK_LIMIT = 50_000;

export interface TraceRun {
  /** The event file's absolute path. */
  source: string;
  /** The workspace folder its events' `file` paths are relative to. */
  root: string;
  generation: number;
  model: TraceAggregator;
}

interface Source {
  root: string;
  reader: TailReader;
  current: TraceAggregator;
  previous: TraceRun | null;
  reading: Promise<void>;
  /** Skipped lines already logged, so each new batch is logged once. */
  skippedLogged: number;
}

export class TraceSources {
  private readonly sources = new Map<string, Source>();
  private readonly folderWatchers: fs.FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastNotified = 0;
  private revision = 0;
  private disposed = false;

  constructor(
    private readonly roots: readonly string[],
    private readonly globsOf: (root: string) => Promise<readonly string[]>,
    private readonly logger: Logger,
    private readonly onChange: () => void,
  ) {}

  /** Bumped whenever any run's data changes: caches of joined figures key on it. */
  get version(): number {
    return this.revision;
  }

  /** Finds the files (again: after a settings change too), reads them and watches them. */
  async start(): Promise<void> {
    for (const watcher of this.folderWatchers.splice(0)) watcher.close();
    const wanted = new Map<string, string>();
    for (const root of this.roots) {
      const globs = await this.globsOf(root);
      const found = await findSources(root, globs);
      for (const file of found) if (!wanted.has(file)) wanted.set(file, root);
      this.watchFolders(root, globs, found);
    }
    for (const [file, source] of this.sources) {
      if (!wanted.has(file)) {
        fs.unwatchFile(file);
        this.sources.delete(file);
        this.changed();
      }
    }
    for (const [file, root] of wanted) this.add(file, root);
    this.logger.info(`trace: watching ${this.sources.size} event files`);
    await Promise.all([...this.sources.values()].map((s) => s.reading));
  }

  /** Every run of the files under `root`, current and previous. */
  runs(root: string): TraceRun[] {
    const runs: TraceRun[] = [];
    for (const [file, source] of this.sources) {
      if (source.root !== root) continue;
      if (source.current.events > 0) runs.push({ source: file, root, generation: source.reader.generation, model: source.current });
      if (source.previous) runs.push(source.previous);
    }
    return runs;
  }

  dispose(): void {
    this.disposed = true;
    clearTimeout(this.timer);
    for (const watcher of this.folderWatchers.splice(0)) watcher.close();
    for (const file of this.sources.keys()) fs.unwatchFile(file);
    this.sources.clear();
  }

  private add(file: string, root: string): void {
    if (this.sources.has(file)) return;
    const source: Source = { root, reader: new TailReader(file), current: new TraceAggregator(), previous: null, reading: Promise.resolve(), skippedLogged: 0 };
    this.sources.set(file, source);
    this.read(file, source);
    fs.watchFile(file, { interval: POLL_MS, persistent: false }, () => this.read(file, source));
  }

  /** Reads what was appended, after any read still under way. */
  private read(file: string, source: Source): void {
    source.reading = source.reading.then(async () => {
      if (this.disposed || this.sources.get(file) !== source) return;
      const generation = source.reader.generation;
      const result = await source.reader.read(
        ({ event }) => source.current.add(event),
        () => {
          if (source.current.events > 0) source.previous = { source: file, root: source.root, generation, model: source.current };
          source.current = new TraceAggregator();
        },
      );
      const counts = source.reader.counts;
      const skipped = counts.malformed + counts.unknownType + counts.otherVersion;
      if (result.events > 0 || result.restarted || skipped !== source.skippedLogged) {
        const rel = path.relative(source.root, file);
        const skips = skipped > 0 ? `; skipped ${counts.malformed} malformed, ${counts.unknownType} of unknown types, ${counts.otherVersion} of another schema version` : '';
        this.logger.info(`trace: ${rel}: ${result.events} new events, ${counts.events} in this run${skips}`);
        source.skippedLogged = skipped;
        this.changed();
      }
    }).catch((error: unknown) => this.logger.warn(`trace: cannot read ${file}: ${String(error)}`));
  }

  /** New data: listeners hear of it now, or once a second has passed since they last did. */
  private changed(): void {
    this.revision++;
    if (this.timer || this.disposed) return;
    const wait = Math.max(0, this.lastNotified + REFRESH_INTERVAL_MS - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.lastNotified = Date.now();
      this.onChange();
    }, wait);
  }

  /**
   * New event files appear where they are watched for: the workspace folder's top level, each glob's
   * fixed folder (`runs/` of `runs/*.jsonl`) and the folders of the files already read. Elsewhere
   * they are found on the next start (a settings change, a `.env` change, a restart).
   */
  private watchFolders(root: string, globs: readonly string[], files: Iterable<string>): void {
    const matches = picomatch([...globs], { dot: true });
    const folders = new Set([root]);
    for (const glob of globs) {
      const base = picomatch.scan(glob).base;
      if (base) folders.add(path.resolve(root, base));
    }
    for (const file of files) folders.add(path.dirname(file));
    for (const folder of folders) {
      try {
        const watcher = fs.watch(folder, { persistent: false }, (_type, name) => {
          if (!name) return;
          const file = path.join(folder, name.toString());
          if (folder === root && name.toString() === '.env') void this.start();
          else if (matches(path.relative(root, file).split(path.sep).join('/')) && fs.existsSync(file)) this.add(file, root);
        });
        watcher.on('error', () => watcher.close());
        this.folderWatchers.push(watcher);
      } catch {
        // A glob's folder that does not exist (yet): its files are found on the next start.
      }
    }
  }
}

/** The event files under `root`: the globs' matches (relative paths) plus the `.env`'s TELEMETRY_FILE. */
export async function findSources(root: string, globs: readonly string[]): Promise<string[]> {
  const found = new Set<string>();
  if (globs.length > 0) {
    const matches = picomatch([...globs], { dot: true });
    let seen = 0;
    // Breadth first and asynchronous: a large workspace never blocks requests while it is searched.
    const folders = [root];
    while (folders.length > 0 && seen < WALK_LIMIT) {
      const dir = folders.shift()!;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      for (const entry of entries) {
        if (++seen > WALK_LIMIT) break;
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (!SKIPPED_DIRS.has(entry.name)) folders.push(full);
        } else if (entry.isFile() && matches(path.relative(root, full).split(path.sep).join('/'))) found.add(full);
      }
    }
  }
  const fromEnv = envTelemetryFile(root);
  if (fromEnv) found.add(fromEnv);
  return [...found].sort();
}

/** TELEMETRY_FILE from `<root>/.env`, absolute, or undefined. */
export function envTelemetryFile(root: string): string | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(root, '.env'), 'utf8');
  } catch {
    return undefined;
  }
  const value = parseEnv(text).TELEMETRY_FILE?.trim();
  return value ? path.resolve(root, value) : undefined;
}
