// The pool's policies as pure functions: the backoff steps and their jitter, Retry-After in both
// forms, and the health window that decides a cooldown.
import { expect, it } from 'vitest';
import { backoffMs, DEFAULT_BACKOFF } from '../../server/src/llm/backoff.js';
import { classify, retryAfter } from '../../server/src/llm/call-error.js';
import { EndpointHealth } from '../../server/src/llm/health.js';

it('backoff is 0.5 s·2ⁿ capped at 8 s, jittered within the upper half of each step', () => {
  const low = (n: number) => backoffMs(n, DEFAULT_BACKOFF, () => 0);
  const high = (n: number) => backoffMs(n, DEFAULT_BACKOFF, () => 1);
  expect([0, 1, 2, 3, 4, 5, 9].map(high)).toEqual([500, 1000, 2000, 4000, 8000, 8000, 8000]);
  expect([0, 1, 4, 9].map(low)).toEqual([250, 500, 4000, 4000]);
});

it('Retry-After is read as seconds or as an HTTP date; garbage is ignored', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  expect(retryAfter('7', now)).toBe(7000);
  expect(retryAfter('0.5', now)).toBe(500);
  expect(retryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
  expect(retryAfter('Wed, 31 Dec 2025 23:00:00 GMT', now)).toBe(0);
  expect(retryAfter('soon', now)).toBeUndefined();
  expect(retryAfter(null, now)).toBeUndefined();
});

it('an HTTP error is retryable for 408, 409, 429 and 5xx (404 elsewhere only), and carries the Retry-After', () => {
  const http = (status: number, headers: Record<string, string> = {}) => classify({ status, headers: new Headers(headers), message: 'x' }, undefined, false);
  expect([400, 401, 404, 408, 409, 422, 429, 500, 502, 503, 529].map((s) => http(s).retryable)).toEqual([false, false, true, true, true, false, true, true, true, true, true]);
  // A 404 may not hold elsewhere: tried on another endpoint, never again on that one.
  expect(http(404).extra.failoverOnly).toBe(true);
  expect(http(429, { 'retry-after': '3' }).extra.retryAfterMs).toBe(3000);
  expect(http(400).extra.endpointFault).toBe(false);
  expect(http(401).extra.endpointFault).toBe(true);
});

it('five requests with half failed in a minute start a cooldown; fewer, or older ones, do not', () => {
  const health = new EndpointHealth();
  const t = 1_000_000;
  expect([true, false, true, false].map((ok, i) => health.record(ok, t + i))).toEqual([false, false, false, false]);
  // The fifth: 2 failures of 5 is 40 %.
  expect(health.record(true, t + 4)).toBe(false);
  expect(health.record(false, t + 5)).toBe(true);
  expect(health.coolingUntil).toBe(t + 5 + 5_000);
  expect(health.recent(t + 6)).toEqual({ requests: 0, failures: 0 });

  const old = new EndpointHealth();
  for (let i = 0; i < 4; i++) old.record(false, t + i);
  // A minute later those four have left the window: one failure alone is not five requests.
  expect(old.record(false, t + 61_000)).toBe(false);
  expect(old.recent(t + 61_000)).toEqual({ requests: 1, failures: 1 });
});
