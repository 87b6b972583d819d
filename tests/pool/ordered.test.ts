// runOrdered: per-file work with a bounded window, finished in input order.
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { runOrdered } from '../../server/src/pool/ordered.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('runOrdered', () => {
  it('finishes every item in input order however their work interleaves', async () => {
    const items = [50, 5, 30, 1, 20, 10, 0, 40];
    const finished: number[] = [];
    await runOrdered(items, { concurrency: 3, lookahead: 3 }, async (ms) => (await sleep(ms), ms * 2), (item, outcome) => {
      expect(outcome).toEqual({ ok: true, value: item * 2 });
      finished.push(item);
    });
    expect(finished).toEqual(items);
  });

  it('never has more than `concurrency` items in flight', async () => {
    let inFlight = 0;
    let most = 0;
    await runOrdered(
      Array.from({ length: 20 }, (_, i) => i),
      { concurrency: 4, lookahead: 8 },
      async (i) => {
        most = Math.max(most, ++inFlight);
        await sleep(i % 3);
        inFlight--;
      },
      () => {},
    );
    expect(most).toBe(4);
  });

  it('keeps the other threads busy behind a slow first item, up to the lookahead', async () => {
    const started: number[] = [];
    let finishedBehind = 0;
    let startedWhileFirstRan = 0;
    await runOrdered(
      Array.from({ length: 30 }, (_, i) => i),
      { concurrency: 2, lookahead: 10 },
      async (i) => {
        started.push(i);
        if (i !== 0) {
          await sleep(1);
          finishedBehind++;
          return;
        }
        // The first item ends once the nine behind it have (or after 10 s): the runner has then had
        // every chance to start more. A fixed 200 ms could end before nine 1 ms timers in a row had
        // fired on a loaded machine.
        for (const deadline = Date.now() + 10_000; finishedBehind < 9 && Date.now() < deadline; ) await sleep(1);
        await nextTurn();
        startedWhileFirstRan = started.length;
      },
      () => {},
    );
    expect(startedWhileFirstRan).toBe(10);
    expect(started).toEqual(Array.from({ length: 30 }, (_, i) => i));
  });

  it('hands a failure to finish in its place, and goes on with the rest', async () => {
    const outcomes: string[] = [];
    await runOrdered(
      ['a', 'b', 'c'],
      { concurrency: 2, lookahead: 2 },
      async (item) => {
        if (item === 'b') throw new Error('b broke');
        return item;
      },
      (item, outcome) => void outcomes.push(outcome.ok ? `${item}:ok` : `${item}:${(outcome.error as Error).message}`),
    );
    expect(outcomes).toEqual(['a:ok', 'b:b broke', 'c:ok']);
  });
});
