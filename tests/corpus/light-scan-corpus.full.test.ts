// Full tier: the light scan against the full analysis on every file of each corpus (see
// tests/unit/light-scan.test.ts for the sampled, fast version).
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { scanAndAnalysis, scanCorpora } from '../unit/light-scan-corpora.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
});

describe('the light scan on whole corpora', () => {
  it.each(scanCorpora(Infinity))('finds what the full analysis finds on every file of $label', async ({ lang, files }) => {
    const differ: string[] = [];
    for (const file of files) {
      const { scan, full } = await scanAndAnalysis(engine, lang, readFileSync(file, 'utf8'));
      if (JSON.stringify(scan) !== JSON.stringify(full)) differ.push(file);
      // A turn of the event loop per file: vitest's calls to its main process time out when a test
      // thread stays busy for a minute, which a loaded machine reaches here.
      await nextTurn();
    }
    expect(differ).toEqual([]);
  }, 1_800_000);
});
