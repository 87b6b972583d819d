// The disk side of the plan cache, through the engine and through separate processes: plans
// outlive the process that made them, bad entries are never trusted, a folder that cannot be
// written costs the cache and nothing else, the folder stays bounded, and concurrent writers
// never leave a torn entry.
import { spawn } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskStore } from '../../server/src/cache/disk-store.js';
import { parseIndexFile, parsePlanFile } from '../../server/src/cache/entry-file.js';
import { verifyCache } from '../../server/src/cache/inspect.js';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { Engine } from '../../server/src/engine/engine.js';
import { packagePath } from '../../server/src/paths.js';
import { childEntry, LANGUAGES, options, removeTempDirs, tempDir } from './helpers.js';

const PY = packagePath('fixtures', 'python', 'functions.py');
const JS = packagePath('fixtures', 'javascript', 'functions.js');
const provenance = { source: { kind: 'template' as const }, templateVersion: 'test', validations: ['relocation'] };

let plain: Engine;

beforeAll(async () => {
  plain = await Engine.create();
  await Promise.all(LANGUAGES.map((l) => plain.ready(l)));
});

async function cachedEngine(cache: PlanCache): Promise<Engine> {
  const engine = await Engine.create({ cache });
  await Promise.all(LANGUAGES.map((l) => engine.ready(l)));
  return engine;
}

/** engine.add on `file`, checked against the engine without a cache. */
function addMatches(engine: Engine, file: string): number {
  const lang = engine.languageForPath(file)!;
  const text = readFileSync(file, 'utf8');
  const result = engine.add(lang, text, options(lang, 'src/f'));
  expect(result).toEqual(plain.add(lang, text, options(lang, 'src/f')));
  return result.added.length;
}

function planFiles(dir: string): string[] {
  const root = join(dir, 'v1', 'plans');
  return readdirSync(root).flatMap((shard) => readdirSync(join(root, shard)).map((f) => join(root, shard, f)));
}

interface ChildReport {
  same?: boolean;
  counters: PlanCache['counters'];
  logs: string[];
}

/** Runs cache-child.ts in its own process, optionally under `wrap` (a command prefix). */
function child(args: string[], wrap: string[] = []): Promise<ChildReport> {
  const viteNode = packagePath('node_modules', '.bin', 'vite-node');
  const command = [...wrap, viteNode, packagePath('tests', 'cache', 'cache-child.ts'), ...args];
  return new Promise((resolve, reject) => {
    const p = spawn(command[0], command.slice(1), { cwd: packagePath(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`child exited ${code}: ${err}`))));
  });
}

afterAll(removeTempDirs);

describe('the disk plan cache', () => {
  it('serves the plans one engine stored to the next, with their provenance in the index', async () => {
    const dir = tempDir();
    const first = new PlanCache({ dir });
    const added = addMatches(await cachedEngine(first), PY);
    await first.flush();
    expect(first.counters.writes).toBe(added);

    const [plan] = planFiles(dir);
    const key = basename(plan, '.plan');
    const index = parseIndexFile(readFileSync(join(dir, 'v1', 'index', key.slice(0, 2), `${key}.json`), 'utf8'), key)!;
    expect(index).toMatchObject({ lang: 'python', source: { kind: 'template' }, validations: ['relocation', 'reparse', 'strip-roundtrip'] });
    expect(index.templateVersion).toBe(first.templateVersion((await import('../../server/src/languages/registry.js')).languageById('python')));
    expect(Date.now() - Date.parse(index.created)).toBeLessThan(60_000);

    const second = new PlanCache({ dir });
    addMatches(await cachedEngine(second), PY);
    expect(second.counters).toMatchObject({ diskHits: added, misses: 0, corrupt: 0 });
  });

  it('ignores, counts and rebuilds truncated, altered and garbage entries', async () => {
    const dir = tempDir();
    const first = new PlanCache({ dir });
    addMatches(await cachedEngine(first), JS);
    await first.flush();
    const [truncated, altered, garbage] = planFiles(dir);
    truncateSync(truncated, Math.floor(readFileSync(truncated, 'utf8').length / 2));
    writeFileSync(altered, readFileSync(altered, 'utf8').replace(/"r":(-?\d)/, (_m, d: string) => `"r":${d === '9' ? '8' : '9'}`));
    writeFileSync(garbage, '\0\0\0 not a plan');

    const logs: string[] = [];
    const second = new PlanCache({ dir, log: (m) => logs.push(m) });
    addMatches(await cachedEngine(second), JS);
    await second.flush();
    expect(second.counters.corrupt).toBe(3);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatch(/corrupt entry/);
    for (const file of [truncated, altered, garbage]) {
      const key = basename(file, '.plan');
      expect(parsePlanFile(readFileSync(file, 'utf8'), key), `${file} was rebuilt`).toBeDefined();
    }
  });

  it('adds telemetry as without a cache when its folder cannot be created, with one log line', async () => {
    const file = join(tempDir(), 'not-a-folder');
    writeFileSync(file, '');
    const logs: string[] = [];
    const cache = new PlanCache({ dir: join(file, 'cache'), log: (m) => logs.push(m) });
    const engine = await cachedEngine(cache);
    addMatches(engine, PY);
    addMatches(engine, JS);
    await cache.flush();
    expect(cache.counters.writes).toBe(0);
    expect(logs).toEqual([expect.stringMatching(/cannot write to .*ENOTDIR/)]);
  });

  it('adds telemetry as without a cache when the folder is full, with one log line', async () => {
    // A file size limit of 0 makes every write fail as a full disk would (EFBIG instead of ENOSPC).
    const report = await child(['add', join(tempDir(), 'cache'), PY], ['bash', '-c', 'trap "" XFSZ; ulimit -f 0; exec "$0" "$@"']);
    expect(report.same).toBe(true);
    expect(report.counters.writes).toBe(0);
    expect(report.logs).toEqual([expect.stringMatching(/cannot write to .*EFBIG/)]);
  });

  it('serves what a read-only folder holds and stores nothing there, with one log line', async () => {
    const root = tempDir();
    chmodSync(root, 0o755);
    const dir = join(root, 'cache');
    const warm = new PlanCache({ dir });
    addMatches(await cachedEngine(warm), PY);
    await warm.flush();
    const lock = (mode: number, folderMode: number) => {
      const walk = (p: string) => {
        for (const e of readdirSync(p, { withFileTypes: true })) {
          if (e.isDirectory()) walk(join(p, e.name));
          else chmodSync(join(p, e.name), mode);
        }
        chmodSync(p, folderMode);
      };
      walk(dir);
    };
    lock(0o444, 0o555);
    try {
      // Root writes through permissions, so the process runs as `nobody` then.
      const asUser = process.getuid?.() === 0 ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
      const report = await child(['add', dir, PY, JS], asUser);
      expect(report.same).toBe(true);
      expect(report.counters.diskHits).toBe(warm.counters.writes);
      expect(report.counters.writes).toBe(0);
      expect(report.logs).toEqual([expect.stringMatching(/cannot write to .*(EACCES|EPERM|EROFS)/)]);
    } finally {
      lock(0o644, 0o755);
    }
  });

  it('stays near its bound by evicting the least recently used entries', async () => {
    const dir = tempDir();
    const fill = new PlanCache({ dir });
    for (let i = 0; i < 50; i++) fill.put(childEntry(i).key, 'python', childEntry(i).plan, provenance);
    await fill.flush();
    const store = new DiskStore(dir);
    const now = Date.now() / 1000;
    // Entries 0-4 were used a moment ago, the others an hour or more ago, the oldest first.
    for (let i = 0; i < 50; i++) utimesSync(store.planPath(childEntry(i).key), now - (i < 5 ? 1 : 3600 + 50 - i), now - (i < 5 ? 1 : 3600 + 50 - i));
    const before = await store.scan();
    const perEntry = before.entries[0].bytes;
    const bound = perEntry * 40;
    const bounded = new PlanCache({ dir, maxDiskBytes: bound });
    for (let i = 50; i < 70; i++) bounded.put(childEntry(i).key, 'python', childEntry(i).plan, provenance);
    await bounded.flush();
    const after = await store.scan();
    expect(bounded.counters.evicted).toBeGreaterThan(0);
    expect(after.entries.reduce((n, e) => n + e.bytes, 0)).toBeLessThanOrEqual(bound);
    const kept = new Set(after.entries.map((e) => e.key));
    for (let i = 0; i < 5; i++) expect(kept.has(childEntry(i).key), `recently used entry ${i}`).toBe(true);
    expect(kept.has(childEntry(5).key)).toBe(false);
    expect(after.orphanIndexes).toEqual([]);
  });

  it('lets two processes write the same keys at once, never showing a torn entry', async () => {
    const dir = tempDir();
    const count = 300;
    const store = new DiskStore(dir);
    let reads = 0;
    let torn = 0;
    let running = true;
    const writers = Promise.all([child(['put', dir, String(count)]), child(['put', dir, String(count)])]).finally(() => (running = false));
    while (running) {
      const { key } = childEntry(Math.floor(Math.random() * count));
      const found = store.read(key);
      reads += found.kind === 'hit' ? 1 : 0;
      torn += found.kind === 'corrupt' ? 1 : 0;
      await new Promise((r) => setImmediate(r));
    }
    const reports = await writers;
    expect(torn).toBe(0);
    expect(reads).toBeGreaterThan(0);
    for (const r of reports) expect(r.counters.writeErrors).toBe(0);
    const report = await verifyCache(dir, false);
    expect(report).toMatchObject({ checked: count, corrupt: [], withoutIndex: [], orphanIndexes: [], staleTemporary: 0 });
    expect((await store.scan()).temporary).toEqual([]);
    for (let i = 0; i < count; i++) {
      const found = store.read(childEntry(i).key);
      expect(found.kind === 'hit' && found.plan).toEqual(childEntry(i).plan);
    }
  }, 60_000);
});
