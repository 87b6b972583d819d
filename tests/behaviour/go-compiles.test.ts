// Everything instrumented still compiles, Go:
// - `gofmt -e` on every .go file of Go's source tree, instrumented in full into a scratch copy: a
//   copy may report a syntax error only where its original does;
// - `go vet ./...` on an instrumented module: this repository's Go fixtures and copies of a few
//   standard packages (with their tests), with the runtime package the engine writes.
import { execFileSync } from 'node:child_process';
import { cpSync, readdirSync, realpathSync } from 'node:fs';
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

/** Files gofmt -e reports a syntax error in, relative to `root`. */
async function gofmtErrors(root: string): Promise<{ errors: Set<string>; unformatted: Set<string> }> {
  const result = await run('gofmt', ['-l', '-e', root], { cwd: root, env: cleanEnv(GO_ENV) });
  const errors = new Set<string>();
  for (const line of result.stderr.split('\n')) {
    const m = /^(.+?\.go):\d+:\d+: /.exec(line);
    if (m) errors.add(relative(root, m[1]));
  }
  const unformatted = new Set(result.stdout.split('\n').filter(Boolean).map((p) => relative(root, p)));
  return { errors, unformatted };
}

describe("Go, instrumented in full", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => removeScratch(d)));

  it("passes gofmt -e on every file of Go's source tree wherever the original does", async () => {
    const started = performance.now();
    const src = goSource();
    expect(src, 'go is not installed').toBeDefined();
    const dir = scratchDir('gofmt');
    dirs.push(dir);
    const files = listFiles(src!, (n) => n.endsWith('.go'), () => false);
    const engine = await Engine.create();
    const counts = await instrumentAll(
      engine,
      files.map((source) => ({
        lang: 'go' as const,
        source,
        dest: join(dir, relative(src!, source)),
        relPath: relative(src!, source),
        runtimeImport: 'example.com/corpus/telemetry',
      })),
    );
    const instrumented = seconds(started);
    // GOROOT/src may be a symlink, which gofmt does not walk into.
    const before = await gofmtErrors(realpathSync(src!));
    const after = await gofmtErrors(dir);
    const newErrors = [...after.errors].filter((f) => !before.errors.has(f));
    const clean = files.map((f) => relative(src!, f)).filter((f) => !before.errors.has(f) && !before.unformatted.has(f));
    const nowUnformatted = clean.filter((f) => after.unformatted.has(f));
    log(
      `gofmt -e: ${counts.files} Go files (${counts.changed} changed, ${counts.functions} functions) instrumented in ` +
        `${instrumented} s; ${counts.files - before.errors.size} parse as they are, ${newErrors.length} instrumented ` +
        `files gain a syntax error; ${before.errors.size} originals fail gofmt -e (test data) and are not counted; ` +
        `${nowUnformatted.length} of ${clean.length} gofmt-clean files are no longer gofmt-clean (layout only) ` +
        `(${seconds(started)} s)`,
    );
    for (const f of newErrors.slice(0, 20)) log(`gofmt -e: ${f}`);
    expect(counts.files).toBeGreaterThan(5000);
    expect(before.errors.size).toBeLessThan(200);
    expect(newErrors).toEqual([]);
  }, 300_000);

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
  }, 300_000);
});
