// The sync property, full tier: 10,000 seeded random edit sequences (tests/property/edit-runner.ts),
// from other seeds than the fast tier's. PROPERTY_CASES changes the count.
import { afterAll, beforeAll, describe, it } from 'vitest';
import { EditRunner } from '../property/edit-runner.js';

const first = 1_000_000;
const cases = Number(process.env.PROPERTY_CASES ?? 10_000);

describe('edit sequences, full tier', () => {
  let runner: EditRunner;

  beforeAll(async () => {
    runner = await EditRunner.start();
  });

  afterAll(async () => {
    console.log('edit sequences (full tier):', runner.counts);
    await runner.stop();
  });

  it(`leave the server's diagnostics and fixAll equal to a fresh server's (${cases} seeded cases)`, async () => {
    for (let seed = first; seed < first + cases; seed++) await runner.check(seed);
  }, 3_600_000);
});
