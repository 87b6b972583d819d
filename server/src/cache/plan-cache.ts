// The plan cache: an in-memory LRU in front of a disk folder (default `.telemetry_cache/` in the
// workspace) that several processes and threads may share. Holds relocatable plans by key, and in
// memory by alias too; what a key means and how a plan is relocated live in cache-key.ts and
// relocate.ts, aliases in alias-index.ts.
// Must never throw into the engine and never fail a request: a corrupt entry is counted, never
// used, and replaced when the function is planned again; a folder that cannot be read or written turns the disk side off with one
// log line, and the engine plans as if there were no cache.
import { resolve } from 'node:path';
import { LRUCache } from 'lru-cache';
import type { EngineOptions } from '../engine/types.js';
import type { FilePlanner, PlanStore } from '../engine/plan-store.js';
import type { LanguageSpec } from '../languages/spec.js';
import { AliasIndex } from './alias-index.js';
import { sameKeyedText, templateVersion, type Keyed } from './cache-key.js';
import { DiskStore } from './disk-store.js';
import type { Provenance } from './entry-file.js';
import type { Plan } from '../engine/plan.js';
import type { RelocatablePlan } from './relocate.js';
import { SitePlanner } from './site-planner.js';

export const DEFAULT_CACHE_FOLDER = '.telemetry_cache';

export interface PlanCacheOptions {
  /** The disk folder; absent: memory only. */
  dir?: string;
  /** Entries kept in memory (default 50,000). */
  maxMemoryEntries?: number;
  /** Bound on the folder's size on disk, in bytes (default 256 MiB); eviction keeps it near. */
  maxDiskBytes?: number;
  /** Where the one line per degradation goes (default: stderr). */
  log?: (message: string) => void;
}

export interface CacheCounters {
  memoryHits: number;
  /** Of the memory hits, those found by alias: the function unchanged since its key was last computed. */
  aliasHits: number;
  diskHits: number;
  misses: number;
  /** Entries found truncated or altered: never used, removed, planned again. */
  corrupt: number;
  writes: number;
  writeErrors: number;
  readErrors: number;
  evicted: number;
}

interface MemoryEntry {
  plan: RelocatablePlan;
  /** When this process last marked the disk entry as used. */
  touched: number;
  /**
   * The plan's last relocations and where they were for (see lookup()). Kept on the entry, which a
   * hit holds already: a side table keyed by the plan cost a hit another cold lookup.
   */
  places?: { where: Placement; plan: Plan | undefined }[];
}

/** How often a process marks an entry it keeps using from memory as used on disk. */
const TOUCH_INTERVAL_MS = 10 * 60_000;
const WRITERS = 4;
/** Rough bytes on disk of one entry's two small files, until a scan measures them. */
const ENTRY_BYTES = 8192;

/** Where a plan is placed: [function start, block start, base, name, path, line]. */
export type Placement = readonly (string | number)[];

/** Placements remembered per stored plan: enough for the twins (one-line methods, `pass` bodies) a large project repeats. */
const PLACEMENT_SLOTS = 32;

/** Whether two placements are of one function (same base, name and path), wherever it stands. */
function sameFunction(a: Placement, b: Placement): boolean {
  return a[2] === b[2] && a[3] === b[3] && a[4] === b[4];
}

function samePlacement(a: Placement, b: Placement): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

export class PlanCache implements PlanStore {
  readonly counters: CacheCounters = { memoryHits: 0, aliasHits: 0, diskHits: 0, misses: 0, corrupt: 0, writes: 0, writeErrors: 0, readErrors: 0, evicted: 0 };
  private readonly memory: LRUCache<string, MemoryEntry>;
  /** Functions as they stand, by alias (alias-index.ts): a hit on unchanged text skips its key. */
  private readonly aliases: AliasIndex<MemoryEntry>;
  private readonly disk?: DiskStore;
  private readonly maxDiskBytes: number;
  private readonly log: (message: string) => void;
  private readonly versions = new Map<LanguageSpec, string>();
  private readonly logged = new Set<string>();
  private readonly queue: (() => Promise<void>)[] = [];
  private readonly idle: (() => void)[] = [];
  private running = 0;
  private writable = true;
  private readable = true;
  private prepared?: Promise<void>;
  /** Bytes on disk: measured by one scan, then grown by this process's writes. */
  private diskBytes = 0;
  private measured?: Promise<void>;
  private evicting = false;

  constructor(options: PlanCacheOptions = {}) {
    this.memory = new LRUCache({ max: options.maxMemoryEntries ?? 50_000 });
    this.aliases = new AliasIndex(options.maxMemoryEntries ?? 50_000);
    this.disk = options.dir === undefined ? undefined : new DiskStore(options.dir);
    this.maxDiskBytes = options.maxDiskBytes ?? 256 * 1024 * 1024;
    this.log = options.log ?? ((m) => process.stderr.write(`telemetry-injector: ${m}\n`));
  }

  /** A cache in `<root>/.telemetry_cache`, or `dir` when given (relative to the root). */
  static forWorkspace(root: string, options: PlanCacheOptions = {}): PlanCache {
    return new PlanCache({ ...options, dir: resolve(root, options.dir ?? DEFAULT_CACHE_FOLDER) });
  }

  get dir(): string | undefined {
    return this.disk?.dir;
  }

  /** The engine's planning for one file, through this cache. */
  filePlanner(spec: LanguageSpec, text: string, opts: EngineOptions): FilePlanner {
    return new SitePlanner(spec, text, opts, this);
  }

  /** The template version of `spec`, computed once per cache. */
  templateVersion(spec: LanguageSpec): string {
    let v = this.versions.get(spec);
    if (v === undefined) this.versions.set(spec, (v = templateVersion(spec)));
    return v;
  }

  /**
   * The plan stored for `key`; with `text` (what the key hashes), only one stored for that same
   * text: keys are not cryptographic, so a collision (or an entry without its text) is a miss.
   */
  get(key: string, text?: Pick<Keyed, 'head' | 'body'>): RelocatablePlan | undefined {
    return this.entry(key, text)?.plan;
  }

  /**
   * The hit path: the plan stored for `key` and `text` (as get() finds it) placed at `where`
   * (offsets, base, name, path and line) by `relocate`, reusing one of the entry's last few
   * placements when it was for the same place: the same text can stand in several places (twin
   * methods), and each is asked for again in turn (each fixAll, each action). Compared field by
   * field, so a hit builds no string. Plans are never mutated by callers.
   * Undefined when nothing is stored; null when the stored plan cannot serve this place.
   */
  lookup(key: string, text: Pick<Keyed, 'head' | 'body'>, where: Placement, relocate: (stored: RelocatablePlan) => Plan | undefined): Plan | null | undefined {
    const entry = this.entry(key, text);
    return entry && this.place(entry, where, relocate);
  }

  /**
   * lookup() by a function's alias (cache-key.ts aliasOf), set by alias() when its key found an
   * entry: undefined also when the alias is unknown, or its entry has left memory or been replaced
   * since (the caller then looks up by key, which may find it on disk).
   */
  lookupAlias(alias: Keyed, where: Placement, relocate: (stored: RelocatablePlan) => Plan | undefined): Plan | null | undefined {
    const found = this.aliases.find(alias);
    // get(), not peek(): a hit by alias keeps the entry recent as a hit by key does.
    if (!found || this.memory.get(found.key) !== found.entry) return undefined;
    this.counters.memoryHits++;
    this.counters.aliasHits++;
    this.touch(found.key, found.entry);
    return this.place(found.entry, where, relocate);
  }

  /** Lets `alias` lead to the entry held in memory for `key` (none: nothing to lead to). */
  alias(alias: Keyed, key: string): void {
    const entry = this.memory.peek(key);
    if (entry) this.aliases.set(alias, key, entry);
  }

  private place(entry: MemoryEntry, where: Placement, relocate: (stored: RelocatablePlan) => Plan | undefined): Plan | null {
    const slots = (entry.places ??= []);
    for (const slot of slots) if (samePlacement(slot.where, where)) return slot.plan ?? null;
    const placed = relocate(entry.plan);
    // The same function moved (an edit above it) takes its own old slot: one per function.
    const moved = slots.findIndex((slot) => sameFunction(slot.where, where));
    if (moved >= 0) slots.splice(moved, 1);
    else if (slots.length === PLACEMENT_SLOTS) slots.pop();
    slots.unshift({ where, plan: placed });
    return placed ?? null;
  }

  /** The entry for `key` from memory, else from disk; with `text`, only one stored for that text. */
  private entry(key: string, text: Pick<Keyed, 'head' | 'body'> | undefined): MemoryEntry | undefined {
    const hit = this.memory.get(key);
    if (hit && text !== undefined && !sameKeyedText(hit.plan.src, text)) {
      this.counters.misses++;
      return undefined;
    }
    if (hit) {
      this.counters.memoryHits++;
      this.touch(key, hit);
      return hit;
    }
    const read = this.readDisk(key, text);
    if (read) return read;
    this.counters.misses++;
    return undefined;
  }

  /** Marks the disk entry of a memory hit as used, at most once per TOUCH_INTERVAL_MS. */
  private touch(key: string, hit: MemoryEntry): void {
    if (!this.disk || !this.writable) return;
    const now = Date.now();
    if (now - hit.touched <= TOUCH_INTERVAL_MS) return;
    hit.touched = now;
    this.enqueue(() => this.disk!.touch(key, new Date(now)).catch(() => undefined));
  }

  /** Keeps a validated plan in memory and writes it to disk in the background. */
  put(key: string, lang: string, plan: RelocatablePlan, provenance: Provenance): void {
    const known = this.memory.has(key);
    this.memory.set(key, { plan, touched: Date.now() });
    if (known || !this.disk || !this.writable) return;
    this.enqueue(() => this.write(key, lang, plan, provenance));
  }

  /** Resolves when every background write has finished (or failed and been logged). */
  flush(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  private readDisk(key: string, text: Pick<Keyed, 'head' | 'body'> | undefined): MemoryEntry | undefined {
    if (!this.disk || !this.readable) return undefined;
    try {
      const found = this.disk.read(key);
      if (found.kind === 'hit' && text !== undefined && !sameKeyedText(found.plan.src, text)) return undefined;
      if (found.kind === 'hit') {
        this.counters.diskHits++;
        const now = Date.now();
        const entry = { plan: found.plan, touched: now };
        this.memory.set(key, entry);
        if (this.writable) this.enqueue(() => this.disk!.touch(key, new Date(now)).catch(() => undefined));
        return entry;
      }
      if (found.kind === 'corrupt') {
        this.counters.corrupt++;
        // Left in place: the rebuilt plan replaces it atomically (a removal could race that write).
        this.once('corrupt', `plan cache: ignored a corrupt entry ${key} in ${this.disk.dir}; it will be planned again (more are counted, not logged)`);
      }
    } catch (error) {
      this.counters.readErrors++;
      this.readable = false;
      this.once('read', `plan cache: cannot read ${this.disk.dir} (${describe(error)}); continuing without the disk cache`);
    }
    return undefined;
  }

  private async write(key: string, lang: string, plan: RelocatablePlan, provenance: Provenance): Promise<void> {
    if (!this.writable) return;
    const disk = this.disk!;
    try {
      await (this.prepared ??= disk.prepare());
      const bytes = await disk.write(key, lang, plan, provenance, new Date());
      this.counters.writes++;
      await (this.measured ??= disk.scan().then((s) => {
        this.diskBytes += s.entries.reduce((sum, e) => sum + e.bytes, 0);
      }));
      this.diskBytes += Math.max(bytes, ENTRY_BYTES);
      if (!this.evicting) await this.evict(disk);
    } catch (error) {
      this.counters.writeErrors++;
      this.writable = false;
      this.once('write', `plan cache: cannot write to ${disk.dir} (${describe(error)}); continuing without storing plans on disk`);
    }
  }

  /** Evicts down to 80% of the bound while this process's estimate is over it; one pass at a time. */
  private async evict(disk: DiskStore): Promise<void> {
    this.evicting = true;
    try {
      while (this.diskBytes > this.maxDiskBytes) {
        const before = this.diskBytes;
        const { removed, bytes: left } = await disk.evict(Math.floor(this.maxDiskBytes * 0.8));
        this.counters.evicted += removed;
        // Writes that finished meanwhile may be in `left` too: counting them twice errs on the safe side.
        this.diskBytes = left + (this.diskBytes - before);
      }
    } finally {
      this.evicting = false;
    }
  }

  private enqueue(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  private pump(): void {
    while (this.running < WRITERS && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      void task().finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.queue.length === 0) for (const resolve of this.idle.splice(0)) resolve();
      });
    }
  }

  private once(kind: string, message: string): void {
    if (this.logged.has(kind)) return;
    this.logged.add(kind);
    this.log(message);
  }
}

function describe(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (!(e instanceof Error)) return String(error);
  return e.code && !e.message.startsWith(e.code) ? `${e.code}: ${e.message}` : e.message;
}
