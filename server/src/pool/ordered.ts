// Runs per-file work through the pool with bounded concurrency, and hands results back in input
// order, so that a command's output reads the same whatever the number of threads.
// Must never run more than `concurrency` items' work at once, nor start an item more than
// `lookahead` places past the first unfinished one (memory stays bounded on huge trees).

export type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

export interface OrderedLimits {
  /** Items whose work runs at the same time. */
  concurrency: number;
  /**
   * How far past the first unfinished item work may start. Larger than `concurrency`, so that one
   * slow file does not leave the other threads idle while its successors wait for their turn.
   */
  lookahead: number;
}

/**
 * Calls `start` for the items (on the calling thread: it may read a file and queue a pool task)
 * within the limits, and `finish` for each item in input order once its work has settled.
 */
export async function runOrdered<T, R>(
  items: readonly T[],
  limits: OrderedLimits,
  start: (item: T, index: number) => Promise<R>,
  finish: (item: T, outcome: Outcome<R>, index: number) => void | Promise<void>,
): Promise<void> {
  const concurrency = Math.max(1, limits.concurrency);
  const lookahead = Math.max(concurrency, limits.lookahead);
  const outcomes: Promise<Outcome<R>>[] = [];
  let next = 0;
  let head = 0;
  let running = 0;
  let wake: (() => void) | undefined;
  const launch = () => {
    while (next < items.length && running < concurrency && next < head + lookahead) {
      const index = next++;
      running++;
      outcomes[index] = settle(() => start(items[index]!, index)).finally(() => {
        running--;
        wake?.();
      });
    }
  };
  wake = launch;
  for (; head < items.length; head++) {
    launch();
    const outcome = await outcomes[head]!;
    delete outcomes[head];
    await finish(items[head]!, outcome, head);
  }
}

export async function settle<R>(work: () => Promise<R>): Promise<Outcome<R>> {
  try {
    return { ok: true, value: await work() };
  } catch (error) {
    return { ok: false, error };
  }
}
