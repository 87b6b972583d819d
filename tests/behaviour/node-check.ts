// Everything instrumented still compiles, JavaScript: `node --check` on every .js, .cjs and .mjs in
// node_modules that passes it as it is, and on its instrumented copy (written by the corpus test,
// tests/corpus/node-modules.test.ts, which checked the round trip on the same output), beside copies
// of every package.json (which decide CommonJS or ESM).
import { cpSync, mkdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { expect } from 'vitest';
import { cleanEnv, listFiles, log, mapLimit, PARALLEL, run, seconds } from './harness.js';

const JS = /\.(c|m)?js$/;
const nodeCheck = (file: string) => run(process.execPath, ['--check', file], { cwd: dirname(file), env: cleanEnv() });

/** node --check over the JS among [original, copy] pairs whose originals pass; `root` is what `dir` mirrors. */
export async function expectNodeChecks(pairs: readonly [string, string][], root: string, dir: string): Promise<void> {
  const started = performance.now();
  for (const manifest of listFiles(root, (n) => n === 'package.json', () => false)) {
    mkdirSync(join(dir, relative(root, dirname(manifest))), { recursive: true });
    cpSync(manifest, join(dir, relative(root, manifest)));
  }
  const js = pairs.filter(([original]) => JS.test(original));
  // node --check is mostly process start-up, so four at a time keep two cores busy.
  const before = await mapLimit(js, 2 * PARALLEL, async ([original]) => (await nodeCheck(original)).code === 0);
  const passing = js.filter((_, i) => before[i]);
  const after = await mapLimit(passing, 2 * PARALLEL, async ([original, copy]) => {
    const result = await nodeCheck(copy);
    return result.code === 0 ? undefined : `${relative(root, original)}: ${result.stderr.trim().split('\n').slice(0, 5).join(' | ')}`;
  });
  const failures = after.filter((f): f is string => f !== undefined);
  log(
    `node --check: ${js.length} .js/.cjs/.mjs files in node_modules (up to 2 MB), ${passing.length} pass as they are; ` +
      `${passing.length - failures.length} instrumented copies pass, ${failures.length} fail (${seconds(started)} s)`,
  );
  for (const f of failures.slice(0, 20)) log(`node --check: ${f}`);
  expect(passing.length).toBeGreaterThan(300);
  expect(failures).toEqual([]);
}
