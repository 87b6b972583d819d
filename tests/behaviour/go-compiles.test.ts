// Everything instrumented still compiles, Go: `go vet ./...` on an instrumented module, this
// repository's Go fixtures and copies of a few standard packages (with their tests), with the
// runtime package the engine writes. gofmt -e over Go's whole source tree is in go-format.ts, run by
// the corpus test on the copy it checked the round trip on.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { cleanEnv, goSource, instrumentAll, listFiles, log, removeScratch, repoRoot, run, scratchDir, seconds, writeRuntimeInto } from './harness.js';

const GO_ENV = {
  GOCACHE: join(tmpdir(), 'telemetry-behaviour-gocache'),
  GOFLAGS: '-mod=mod',
  GOPROXY: 'off',
  GOWORK: 'off',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
};
// Standard packages that import only non-internal standard packages, so a copy builds in a module.
const STD_COPIES = ['container/list', 'container/ring', 'text/tabwriter', 'encoding/csv'];

describe("Go, instrumented in full", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => removeScratch(d)));

  it('passes go vet on an instrumented module: the Go fixtures and copies of standard packages with their tests', async () => {
    const started = performance.now();
    const dir = scratchDir('govet');
    dirs.push(dir);
    const src = goSource()!;
    const fixtures = join(repoRoot, 'fixtures/go');
    for (const name of readdirSync(fixtures).filter((n) => n !== 'broken')) cpSync(join(fixtures, name), join(dir, name), { recursive: true });
    for (const pkg of STD_COPIES) cpSync(join(src, pkg), join(dir, 'std', pkg), { recursive: true, filter: (p) => !p.includes('testdata') });
    const env = cleanEnv(GO_ENV);
    const vet = () => run('go', ['vet', './...'], { cwd: dir, env });
    const plain = await vet();
    expect(plain, `the copy passes go vet before instrumenting:\n${plain.stderr}`).toMatchObject({ code: 0 });
    const module = execFileSync('go', ['list', '-m'], { cwd: dir, env, encoding: 'utf8' }).trim();
    const engine = await Engine.create();
    const sources = listFiles(dir, (n) => n.endsWith('.go') && !n.endsWith('_test.go'), () => false);
    const counts = await instrumentAll(
      engine,
      sources.map((source) => ({
        lang: 'go' as const,
        source,
        dest: source,
        relPath: relative(dir, source),
        runtimeImport: `${module}/telemetry`,
      })),
    );
    writeRuntimeInto(engine, 'go', dir);
    const vetted = await vet();
    const packages = execFileSync('go', ['list', './...'], { cwd: dir, env, encoding: 'utf8' }).trim().split('\n');
    log(
      `go vet: module ${module} with ${packages.length} packages (fixtures, ${STD_COPIES.join(', ')}, the runtime), ` +
        `${counts.files} files, ${counts.functions} functions instrumented; go vet ${vetted.code === 0 ? 'passes' : 'FAILS'} ` +
        `(${seconds(started)} s)`,
    );
    if (vetted.code !== 0) log(`go vet: ${vetted.stderr.slice(0, 3000)}`);
    expect(counts.skipped).toEqual([]);
    expect(counts.functions).toBe(counts.eligible);
    expect(vetted, vetted.stderr).toMatchObject({ code: 0 });
  }, 600_000);
});
