import { describe, expect, it } from 'vitest';
import { listFiles } from './corpus.js';
import { outsideTestPackages } from './test-packages.js';
import { runCorpus } from './corpus-test.js';

const SOURCE = /\.(m|c)?(j|t)sx?$/;
const DECLARATION = /\.d\.(m|c)?ts$/;

describe('the JavaScript and TypeScript in node_modules', () => {
  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    const files = listFiles('node_modules', (n) => SOURCE.test(n) && !DECLARATION.test(n), () => false).filter(outsideTestPackages('node_modules'));
    const counts = await runCorpus('node_modules js/ts', files, ['javascript', 'typescript', 'tsx']);
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(10_000);
  }, 900_000);
});
