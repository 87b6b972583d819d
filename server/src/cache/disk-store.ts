// The disk side of the plan cache: one plan file and one index file per key, in 256 shard
// folders under <dir>/v1/, written atomically (a temporary file in the same folder, then a rename)
// so that processes and threads sharing the folder only ever see whole files. Owns the layout,
// reads, writes, last-use touches, scans and eviction. Must never delete anything outside
// <dir>/v1/, and never decides what a failure means: callers catch, count and degrade.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { indexFileText, parseIndexFile, parsePlanFile, planFileText, type IndexEntry, type Provenance } from './entry-file.js';
import type { RelocatablePlan } from './relocate.js';

export type ReadResult =
  | { kind: 'hit'; lang: string; plan: RelocatablePlan }
  | { kind: 'absent' }
  | { kind: 'corrupt' };

export interface ScannedEntry {
  key: string;
  /** Bytes on disk (allocated blocks) of the plan and index files. */
  bytes: number;
  /** The plan file's modification time: the entry's last use. */
  lastUsed: number;
  hasIndex: boolean;
}

export interface Scan {
  entries: ScannedEntry[];
  /** Index files whose plan file is missing. */
  orphanIndexes: string[];
  /** Temporary files (a writer still running, or one that died). */
  temporary: { path: string; age: number }[];
}

// xxHash64 keys (16 hex digits); 64 for entries written by versions that keyed with SHA-256.
const KEY = /^(?:[0-9a-f]{16}|[0-9a-f]{64})$/;
const TEMP_GRACE_MS = 10 * 60_000;

export class DiskStore {
  constructor(readonly dir: string) {}

  get root(): string {
    return join(this.dir, 'v1');
  }

  planPath(key: string): string {
    return join(this.root, 'plans', key.slice(0, 2), `${key}.plan`);
  }

  indexPath(key: string): string {
    return join(this.root, 'index', key.slice(0, 2), `${key}.json`);
  }

  /** Synchronous: the engine plans synchronously. Throws on errors other than a missing file. */
  read(key: string): ReadResult {
    const path = this.planPath(key);
    if (!existsSync(path)) return { kind: 'absent' };
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'absent' };
      throw error;
    }
    const parsed = parsePlanFile(text, key);
    return parsed ? { kind: 'hit', ...parsed } : { kind: 'corrupt' };
  }

  /** Creates the folder with a CACHEDIR.TAG and a .gitignore, so backups and git leave it alone. */
  async prepare(): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const tag = join(this.dir, 'CACHEDIR.TAG');
    if (!existsSync(tag)) {
      await atomicWrite(tag, 'Signature: 8a477f597d28d172789f06886806bc55\n# telemetry-injector plan cache: safe to delete.\n');
      await atomicWrite(join(this.dir, '.gitignore'), '*\n');
    }
  }

  /** The plan first: an index file without its plan is an orphan, a plan without index is still usable. */
  async write(key: string, lang: string, plan: RelocatablePlan, provenance: Provenance, now: Date): Promise<number> {
    const planText = planFileText(key, lang, plan);
    const indexText = indexFileText(key, lang, provenance, now);
    await atomicWrite(this.planPath(key), planText);
    await atomicWrite(this.indexPath(key), indexText);
    return planText.length + indexText.length;
  }

  async touch(key: string, now: Date): Promise<void> {
    await utimes(this.planPath(key), now, now);
  }

  async remove(key: string): Promise<void> {
    await rm(this.planPath(key), { force: true });
    await rm(this.indexPath(key), { force: true });
  }

  async readIndex(key: string): Promise<IndexEntry | undefined> {
    try {
      return parseIndexFile(await readFile(this.indexPath(key), 'utf8'), key);
    } catch {
      return undefined;
    }
  }

  async readPlanText(key: string): Promise<string | undefined> {
    try {
      return await readFile(this.planPath(key), 'utf8');
    } catch {
      return undefined;
    }
  }

  async scan(now = Date.now()): Promise<Scan> {
    const plans = await this.list('plans', '.plan');
    const indexes = await this.list('index', '.json');
    const indexBytes = new Map(indexes.files.map((f) => [f.key, f.bytes]));
    const entries = plans.files.map((f) => ({
      key: f.key,
      bytes: f.bytes + (indexBytes.get(f.key) ?? 0),
      lastUsed: f.mtime,
      hasIndex: indexBytes.has(f.key),
    }));
    const planKeys = new Set(plans.files.map((f) => f.key));
    const orphanIndexes = indexes.files.map((f) => f.key).filter((k) => !planKeys.has(k));
    const temporary = [...plans.temporary, ...indexes.temporary].map((t) => ({ path: t.path, age: now - t.mtime }));
    return { entries, orphanIndexes, temporary };
  }

  /** Removes the least recently used entries until at most `target` bytes remain; returns how many. */
  async evict(target: number): Promise<{ removed: number; bytes: number }> {
    const { entries, orphanIndexes, temporary } = await this.scan();
    for (const key of orphanIndexes) await rm(this.indexPath(key), { force: true });
    for (const t of temporary) if (t.age > TEMP_GRACE_MS) await rm(t.path, { force: true });
    let bytes = entries.reduce((sum, e) => sum + e.bytes, 0);
    let removed = 0;
    for (const e of entries.sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (bytes <= target) break;
      await this.remove(e.key);
      bytes -= e.bytes;
      removed++;
    }
    return { removed, bytes };
  }

  /** Deletes every entry (the v1 folder); the folder itself and its tags stay. */
  async clear(): Promise<void> {
    await rm(this.root, { recursive: true, force: true });
  }

  private async list(kind: 'plans' | 'index', ext: string): Promise<{ files: { key: string; bytes: number; mtime: number }[]; temporary: { path: string; mtime: number }[] }> {
    const files: { key: string; bytes: number; mtime: number }[] = [];
    const temporary: { path: string; mtime: number }[] = [];
    const top = join(this.root, kind);
    for (const shard of await readdirOrEmpty(top)) {
      const folder = join(top, shard);
      const names = await readdirOrEmpty(folder);
      await Promise.all(names.map(async (name) => {
        const path = join(folder, name);
        const st = await stat(path).catch(() => undefined);
        if (!st?.isFile()) return;
        if (name.endsWith('.tmp')) temporary.push({ path, mtime: st.mtimeMs });
        else if (name.endsWith(ext) && KEY.test(name.slice(0, -ext.length))) {
          files.push({ key: name.slice(0, -ext.length), bytes: st.blocks ? st.blocks * 512 : st.size, mtime: st.mtimeMs });
        }
      }));
    }
    return { files, temporary };
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return (await readdir(path)).sort();
  } catch {
    return [];
  }
}

/** Writes a temporary file next to `path` and renames it over `path`: readers see all or nothing. */
async function atomicWrite(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}-${threadId}-${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { flag: 'wx' });
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
