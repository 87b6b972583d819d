// Everything instrumented still parses, Go: `gofmt -e` on every original of Go's source tree and
// on its instrumented copy (written by the corpus test, tests/corpus/go-source.test.ts, which checked
// the round trip on the same output). A copy may report a syntax error only where its original does.
// Layout is counted, not required: joined probes are valid Go that gofmt would re-lay out.
import { expect } from 'vitest';
import { cleanEnv, log, run, seconds } from './harness.js';

/** Of `files`, those gofmt -e reports a syntax error in, and those it would reformat, as given. */
async function gofmt(files: readonly string[], cwd: string): Promise<{ errors: Set<string>; unformatted: Set<string> }> {
  const result = await run('gofmt', ['-l', '-e', ...files], { cwd, env: cleanEnv() });
  const errors = new Set<string>();
  for (const line of result.stderr.split('\n')) {
    const m = /^(.+?\.go):\d+:\d+: /.exec(line);
    if (m) errors.add(m[1]);
  }
  return { errors, unformatted: new Set(result.stdout.split('\n').filter(Boolean)) };
}

/** gofmt -e over [original, copy] pairs; fails when a copy gains a syntax error. */
export async function expectGofmtParses(pairs: readonly [string, string][], dir: string): Promise<void> {
  const started = performance.now();
  const before = await gofmt(pairs.map(([original]) => original), dir);
  const after = await gofmt(pairs.map(([, copy]) => copy), dir);
  const newErrors = pairs.filter(([original, copy]) => after.errors.has(copy) && !before.errors.has(original)).map(([o]) => o);
  const clean = pairs.filter(([original]) => !before.errors.has(original) && !before.unformatted.has(original));
  const nowUnformatted = clean.filter(([, copy]) => after.unformatted.has(copy));
  log(
    `gofmt -e: ${pairs.length} instrumented Go files; ${pairs.length - before.errors.size} originals parse, ` +
      `${newErrors.length} instrumented files gain a syntax error; ${before.errors.size} originals fail gofmt -e ` +
      `(test data) and are not counted; ${nowUnformatted.length} of ${clean.length} gofmt-clean files are no longer ` +
      `gofmt-clean (layout only) (${seconds(started)} s)`,
  );
  for (const f of newErrors.slice(0, 20)) log(`gofmt -e: ${f}`);
  expect(pairs.length).toBeGreaterThan(5000);
  expect(before.errors.size).toBeLessThan(100);
  expect(newErrors).toEqual([]);
}
