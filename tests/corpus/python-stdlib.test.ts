import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectPythonCompiles } from '../behaviour/python-compile.js';
import { removeScratch, scratchDir } from '../behaviour/harness.js';
import { listFiles, pythonStdlib } from './corpus.js';
import { runCorpus } from './corpus-test.js';

describe("Python's standard library", () => {
  const stdlib = pythonStdlib();
  let dir: string | undefined;
  let copies: [string, string][] = [];
  afterAll(() => removeScratch(dir));

  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    dir = scratchDir('python-stdlib');
    const files = listFiles(stdlib, (n) => n.endsWith('.py'), (d) => d === 'site-packages');
    const counts = await runCorpus('python stdlib', files, ['python'], (file) => join(dir!, 'lib', relative(stdlib, file)));
    copies = counts.copies;
    // Everything that is not skipped by a documented rule or broken source is instrumented.
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(50_000);
  }, 1_800_000);

  it('compiles with py_compile wherever the original does, with no new warning and every docstring kept', async () => {
    expect(copies.length, 'the round-trip test above writes the instrumented copies').toBeGreaterThan(0);
    await expectPythonCompiles(copies, dir!);
  }, 1_800_000);
});
