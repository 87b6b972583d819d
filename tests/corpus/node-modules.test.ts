import { join, relative, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeScratch, repoRoot, scratchDir } from '../behaviour/harness.js';
import { expectNodeChecks } from '../behaviour/node-check.js';
import { listFiles } from './corpus.js';
import { outsideTestPackages } from './test-packages.js';
import { runCorpus } from './corpus-test.js';

const SOURCE = /\.(m|c)?(j|t)sx?$/;
const DECLARATION = /\.d\.(m|c)?ts$/;

describe('the JavaScript and TypeScript in node_modules', () => {
  const root = resolve(repoRoot, 'node_modules');
  let dir: string | undefined;
  let copies: [string, string][] = [];
  afterAll(() => removeScratch(dir));

  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    dir = scratchDir('node-modules');
    const files = listFiles(root, (n) => SOURCE.test(n) && !DECLARATION.test(n), () => false).filter(outsideTestPackages(root));
    const counts = await runCorpus('node_modules js/ts', files, ['javascript', 'typescript', 'tsx'], (file) => join(dir!, relative(root, file)));
    copies = counts.copies;
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(10_000);
  }, 1_800_000);

  it('passes node --check wherever the original does', async () => {
    expect(copies.length, 'the round-trip test above writes the instrumented copies').toBeGreaterThan(0);
    await expectNodeChecks(copies, root, dir!);
  }, 1_800_000);
});
