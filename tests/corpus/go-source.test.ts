import { describe, expect, it } from 'vitest';
import { goSource, listFiles } from './corpus.js';
import { runCorpus } from './corpus-test.js';

describe("Go's source tree", () => {
  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    const root = goSource();
    expect(root, 'go is not installed: .ci/run installs golang-go').toBeDefined();
    const files = listFiles(root!, (n) => n.endsWith('.go'), () => false);
    const counts = await runCorpus('go source', files, ['go']);
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(50_000);
  }, 900_000);
});
