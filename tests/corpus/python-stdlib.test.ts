import { describe, expect, it } from 'vitest';
import { listFiles, pythonStdlib } from './corpus.js';
import { runCorpus } from './corpus-test.js';

describe("Python's standard library", () => {
  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    const files = listFiles(pythonStdlib(), (n) => n.endsWith('.py'), (d) => d === 'site-packages');
    const counts = await runCorpus('python stdlib', files, ['python']);
    // Everything that is not skipped by a documented rule or broken source is instrumented.
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(50_000);
  }, 900_000);
});
