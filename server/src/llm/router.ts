// The pool's local queue: requests wait here, in arrival order, until route() gives them an
// endpoint; nothing is sent to a server that is full, cooling down or held by Retry-After. Wakes on
// a release and on a timer for the first endpoint that comes back. Owns waiting; never calls a model.
import type { EndpointState } from './endpoint.js';
import { route, type RouteWant } from './route.js';
import { LlmCallError } from './types.js';

interface Waiter {
  want: RouteWant;
  resolve(endpoint: EndpointState): void;
  reject(error: Error): void;
}

export class Router {
  private waiters: Waiter[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;

  constructor(
    readonly endpoints: readonly EndpointState[],
    private readonly now: () => number = Date.now,
  ) {}

  get queued(): number {
    return this.waiters.length;
  }

  /** Resolves with an endpoint whose slot this request now holds; `release` gives it back. */
  acquire(want: RouteWant, signal?: AbortSignal): Promise<EndpointState> {
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(new LlmCallError('aborted', 'the request was cancelled', false));
      const waiter: Waiter = {
        want,
        resolve: (e) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(e);
        },
        reject,
      };
      const onAbort = () => {
        this.waiters = this.waiters.filter((w) => w !== waiter);
        reject(new LlmCallError('aborted', 'the request was cancelled', false));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
      this.pump();
    });
  }

  release(endpoint: EndpointState): void {
    endpoint.inFlight--;
    this.pump();
  }

  /** Something changed (a release, a cooldown, a Retry-After): hand out what can be handed out. */
  pump(): void {
    const now = this.now();
    let wakeAt = Infinity;
    const waiting: Waiter[] = [];
    for (const waiter of this.waiters) {
      const choice = route(this.endpoints, waiter.want, now);
      if (choice.endpoint) {
        choice.endpoint.inFlight++;
        waiter.resolve(choice.endpoint);
      } else {
        if (choice.retryAt !== null) wakeAt = Math.min(wakeAt, choice.retryAt);
        waiting.push(waiter);
      }
    }
    this.waiters = waiting;
    this.schedule(wakeAt);
  }

  /** Rejects every waiter (the client is closing). */
  close(): void {
    clearTimeout(this.timer);
    for (const w of this.waiters) w.reject(new LlmCallError('closed', 'the LLM client was closed', false));
    this.waiters = [];
  }

  private schedule(at: number): void {
    if (at === this.timerAt) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = setTimeout(() => {
      this.timerAt = Infinity;
      this.timer = undefined;
      this.pump();
    }, Math.max(0, at - this.now()) + 1);
  }
}
