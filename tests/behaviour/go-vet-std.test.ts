// No new go vet findings on Go's own source: standard packages that hold locks, sync.Once values
// and condition-less loops are instrumented in full, in place, in a copy of GOROOT (src copied, the
// rest linked), and `go vet` must report nothing on them, as it reports nothing on the originals.
// A standard package may import only standard paths, so the runtime goes into src/internal, as in
// go-stdlib-tests.test.ts; telemetry_nohttp keeps net/http out of the runtime (an import cycle).
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { cleanEnv, instrumentAll, log, removeScratch, run, scratchDir, seconds, writeRuntimeInto } from './harness.js';

// Chosen for what vet saw in them before the fixes (packages the runtime imports are left out: an
// instrumented one would import the runtime that imports it).
const PACKAGES: { path: string; why: string }[] = [
  { path: 'testing', why: '`root := common{...}`: a struct literal whose type holds a sync.RWMutex' },
  { path: 'net/http', why: '`envProxyOnce = sync.Once{}`, and mutexes in most types' },
  { path: 'compress/gzip', why: '`for i := 0; ; i++ {}` ending a function (a terminating statement)' },
  { path: 'go/parser', why: 'condition-less for clauses ending functions' },
  { path: 'database/sql', why: 'mutexes, sync.Once and atomics in structs built by literals' },
  { path: 'expvar', why: 'sync.Map and atomic values' },
  { path: 'log/slog', why: 'handlers holding mutexes, built by struct literals' },
];

const GO_ENV = {
  GOCACHE: join(tmpdir(), 'telemetry-behaviour-gocache'),
  GOFLAGS: '-tags=telemetry_nohttp',
  GOPROXY: 'off',
  GOWORK: 'off',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
};

describe("Go's standard library, instrumented in full, under go vet", () => {
  let dir: string | undefined;
  afterAll(() => dir && removeScratch(dir));

  it('adds no go vet finding to standard packages that hold locks and end functions with endless loops', async () => {
    const started = performance.now();
    const goroot = execFileSync('go', ['env', 'GOROOT'], { env: cleanEnv(GO_ENV), encoding: 'utf8' }).trim();
    const paths = PACKAGES.map((p) => p.path);
    const plain = await run('go', ['vet', ...paths], { cwd: join(goroot, 'src'), env: cleanEnv(GO_ENV) });
    expect(plain, `the originals pass go vet:\n${plain.stderr}`).toMatchObject({ code: 0 });

    dir = scratchDir('govet-std');
    const copy = join(dir, 'goroot');
    cpSync(join(goroot, 'src'), join(copy, 'src'), { recursive: true });
    for (const name of readdirSync(goroot).filter((n) => n !== 'src')) symlinkSync(join(goroot, name), join(copy, name));
    const engine = await Engine.create();
    const jobs = paths.flatMap((path) =>
      readdirSync(join(copy, 'src', path))
        .filter((n) => n.endsWith('.go') && !n.endsWith('_test.go'))
        .map((n) => {
          const file = join(copy, 'src', path, n);
          return { lang: 'go' as const, source: file, dest: file, relPath: `${path}/${n}`, runtimeImport: 'internal' };
        }),
    );
    const counts = await instrumentAll(engine, jobs, true);
    writeRuntimeInto(engine, 'go', join(copy, 'src', 'internal'), (f) => f.replace(/^telemetry\//, ''));
    const texts = [...counts.texts.values()].join('\n');
    const refs = (texts.match(/_tm\.VarRef\(/g) ?? []).length;
    const vetted = await run('go', ['vet', ...paths], { cwd: join(copy, 'src'), env: cleanEnv({ ...GO_ENV, GOROOT: copy }) });
    log(
      `go vet std: ${paths.length} packages, ${counts.files} files, ${counts.functions} functions instrumented, ` +
        `${refs} variable probes by address; go vet ${vetted.code === 0 ? 'passes' : 'FAILS'} (${seconds(started)} s)`,
    );
    expect(counts.skipped).toEqual([]);
    expect(counts.functions).toBe(counts.eligible);
    expect(refs, 'struct literals are probed by address').toBeGreaterThan(0);
    expect(texts, 'a lock in plain sight gets no probe').not.toContain('_tm.Var(1, "envProxyOnce", envProxyOnce)');
    expect(vetted.stderr.trim(), 'new go vet findings').toBe('');
    expect(vetted).toMatchObject({ code: 0 });
  }, 900_000);
});
