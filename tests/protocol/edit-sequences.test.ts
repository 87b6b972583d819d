// The sync property, fast tier: a few hundred seeded random edit sequences on windows of real
// files, each checked against a fresh server (tests/property/edit-runner.ts). PROPERTY_SEED and
// PROPERTY_CASES replay one failing seed; tests/corpus/edit-sequences.test.ts runs 10,000.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EditRunner } from '../property/edit-runner.js';

const first = Number(process.env.PROPERTY_SEED ?? 14_000);
const cases = Number(process.env.PROPERTY_CASES ?? 300);

describe('edit sequences', () => {
  let runner: EditRunner;

  beforeAll(async () => {
    runner = await EditRunner.start();
  });

  afterAll(async () => {
    console.log('edit sequences:', runner.counts);
    await runner.stop();
  });

  it(`leave the server's diagnostics and fixAll equal to a fresh server's (${cases} seeded cases)`, async () => {
    for (let seed = first; seed < first + cases; seed++) await runner.check(seed);
  }, 600_000);
});
