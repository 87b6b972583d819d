import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expectGofmtParses } from '../behaviour/go-format.js';
import { removeScratch, scratchDir } from '../behaviour/harness.js';
import { goSource, listFiles } from './corpus.js';
import { runCorpus } from './corpus-test.js';

describe("Go's source tree", () => {
  let dir: string | undefined;
  let copies: [string, string][] = [];
  afterAll(() => removeScratch(dir));

  it('round-trips, stays idempotent and adds no parse error in every file', async () => {
    const root = goSource();
    expect(root, 'go is not installed: .ci/run installs golang-go').toBeDefined();
    dir = scratchDir('go-source');
    const files = listFiles(root!, (n) => n.endsWith('.go'), () => false);
    const counts = await runCorpus('go source', files, ['go'], (file) => join(dir!, 'src', relative(root!, file)));
    copies = counts.copies;
    expect(counts.instrumented + counts.skipped + counts.broken).toBe(counts.functions);
    expect(counts.functions).toBeGreaterThan(50_000);
    // 30 minutes: 804 s were measured at nice 10 with the load average at 11, too close to 15.
  }, 1_800_000);

  it('passes gofmt -e on every instrumented file wherever the original does', async () => {
    expect(copies.length, 'the round-trip test above writes the instrumented copies').toBeGreaterThan(0);
    await expectGofmtParses(copies, dir!);
  }, 1_800_000);
});
