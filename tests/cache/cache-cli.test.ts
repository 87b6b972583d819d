// `telemetry-injector cache stats|clear|verify`: what it reports about a real cache folder, what
// verify removes, and its exit codes.
import { readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiskStore } from '../../server/src/cache/disk-store.js';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { runCache } from '../../server/src/cli/cache.js';
import { Engine } from '../../server/src/engine/engine.js';
import { packagePath } from '../../server/src/paths.js';
import { LANGUAGES, options, removeTempDirs, tempDir } from './helpers.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await Promise.all(LANGUAGES.map((l) => engine.ready(l)));
});

/** A cache folder holding the plans of the Python and JavaScript function fixtures; resolves to their count. */
async function warmFolder(dir: string): Promise<number> {
  const cache = new PlanCache({ dir });
  const cached = await Engine.create({ cache });
  let added = 0;
  for (const [lang, file] of [['python', 'functions.py'], ['javascript', 'functions.js']] as const) {
    await cached.ready(lang);
    added += cached.add(lang, readFileSync(packagePath('fixtures', lang, file), 'utf8'), options(lang, file)).added.length;
  }
  await cache.flush();
  return added;
}

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCache(args, { cwd: tempDir(), stdout: { write: (t: string) => (out += t) }, stderr: { write: (t: string) => (err += t) } });
  return { code, out, err };
}

afterAll(removeTempDirs);

describe('telemetry-injector cache', () => {
  it('stats counts entries by language, source and validations', async () => {
    const dir = tempDir();
    const count = await warmFolder(dir);
    const text = await cli('stats', '--cache-dir', dir);
    expect(text.code).toBe(0);
    expect(text.out).toContain(`entries: ${count} (`);
    expect(text.out).toMatch(/languages: (python|javascript) \d+, (python|javascript) \d+/);
    expect(text.out).toContain(`sources: template ${count}`);
    expect(text.out).toContain(`validations: relocation+reparse+strip-roundtrip ${count}`);
    const json = JSON.parse((await cli('stats', '--cache-dir', dir, '--format', 'json')).out);
    expect(json).toMatchObject({ entries: count, outdated: 0, withoutIndex: 0, bySource: { template: count } });
    expect(json.byLanguage.python + json.byLanguage.javascript).toBe(count);
  });

  it('stats says so when there is no cache, and creates nothing', async () => {
    const dir = join(tempDir(), 'none');
    expect((await cli('stats', '--cache-dir', dir)).out).toBe(`no plan cache at ${dir}\n`);
    expect(new DiskStore(dir).read('0'.repeat(64))).toEqual({ kind: 'absent' });
  });

  it('verify passes a sound cache, then removes corrupt, outdated, orphaned and stale files and exits 1', async () => {
    const dir = tempDir();
    const count = await warmFolder(dir);
    expect(await cli('verify', '--cache-dir', dir)).toMatchObject({ code: 0, out: expect.stringContaining('all entries are sound') });

    const store = new DiskStore(dir);
    const [a, b, c] = (await store.scan()).entries.map((e) => e.key);
    writeFileSync(store.planPath(a), readFileSync(store.planPath(a), 'utf8').slice(0, 40));
    writeFileSync(store.indexPath(b), readFileSync(store.indexPath(b), 'utf8').replace(/"templateVersion":"\w+"/, '"templateVersion":"old"'));
    writeFileSync(store.indexPath(`${a.slice(0, 2)}${'e'.repeat(62)}`), '{}');
    const temp = `${store.planPath(c)}.123-0-abcd.tmp`;
    writeFileSync(temp, 'half a plan');
    utimesSync(temp, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));

    const found = await cli('verify', '--cache-dir', dir);
    expect(found.code).toBe(1);
    for (const line of ['corrupt or truncated: 1', 'made with outdated templates: 1', 'orphan index files: 1', 'stale temporary files: 1', 'removed 4']) {
      expect(found.out).toContain(line);
    }
    expect(await cli('verify', '--cache-dir', dir)).toMatchObject({ code: 0, out: expect.stringContaining(`checked ${count - 2} entries`) });
  });

  it('clear removes every entry', async () => {
    const dir = tempDir();
    const count = await warmFolder(dir);
    expect((await cli('clear', '--cache-dir', dir)).out).toBe(`removed ${count} entries from ${dir}\n`);
    expect((await cli('stats', '--cache-dir', dir)).out).toContain('entries: 0 (');
  });

  it('exits 2 with a usage line on a missing or unknown action or flag', async () => {
    for (const args of [[], ['purge'], ['stats', '--bogus'], ['stats', 'extra'], ['stats', '--format', 'xml']]) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toContain('usage: telemetry-injector cache stats|clear|verify');
    }
  });
});
