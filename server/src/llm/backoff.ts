// How long a request waits before it tries again: the server's Retry-After when it sent one (up to
// 60 s), else 0.5 s·2ⁿ capped at 8 s, with jitter so that requests that failed together do not
// return together. Pure; the pool owns the waiting.

export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
  /** Longest Retry-After honoured; a longer one is not waited for (the request fails over or fails). */
  maxRetryAfterMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 500, capMs: 8_000, maxRetryAfterMs: 60_000 };

/** `n` counts the request's failures so far, from 0. */
export function backoffMs(n: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** n);
  // "Equal jitter": at least half the step, so the backoff still grows.
  return ceiling / 2 + random() * (ceiling / 2);
}
