// One endpoint's health: its recent outcomes, its cooldown and the wait its server asked for.
// Cool down for 5 s after >= 50 % failures over >= 5 requests in the last 60 s. Owns only these
// numbers; must never decide routing or retries (route.ts and pool.ts do).

export interface HealthPolicy {
  windowMs: number;
  minRequests: number;
  failureRatio: number;
  cooldownMs: number;
}

export const DEFAULT_HEALTH: HealthPolicy = { windowMs: 60_000, minRequests: 5, failureRatio: 0.5, cooldownMs: 5_000 };

export class EndpointHealth {
  private outcomes: { at: number; ok: boolean }[] = [];
  /** Cooling down until then (ms since epoch). */
  coolingUntil = 0;
  /** The server's Retry-After holds until then. */
  retryAfterUntil = 0;
  cooldowns = 0;
  lastError: string | null = null;

  constructor(private readonly policy: HealthPolicy = DEFAULT_HEALTH) {}

  /** Records one finished request; returns true when it started a cooldown. */
  record(ok: boolean, now: number, errorType?: string): boolean {
    if (!ok && errorType) this.lastError = errorType;
    this.prune(now);
    this.outcomes.push({ at: now, ok });
    const failures = this.outcomes.filter((o) => !o.ok).length;
    if (this.outcomes.length >= this.policy.minRequests && failures / this.outcomes.length >= this.policy.failureRatio) {
      this.coolingUntil = now + this.policy.cooldownMs;
      this.cooldowns++;
      // The endpoint comes back with a clean slate: one failure after the cooldown must not
      // send it straight back (the old failures are what the cooldown already paid for).
      this.outcomes = [];
      return true;
    }
    return false;
  }

  /** The server said to come back later (Retry-After). */
  holdFor(ms: number, now: number): void {
    this.retryAfterUntil = Math.max(this.retryAfterUntil, now + ms);
  }

  /** When the endpoint may take requests again (now or earlier: it may). */
  availableAt(): number {
    return Math.max(this.coolingUntil, this.retryAfterUntil);
  }

  recent(now: number): { requests: number; failures: number } {
    this.prune(now);
    return { requests: this.outcomes.length, failures: this.outcomes.filter((o) => !o.ok).length };
  }

  private prune(now: number): void {
    const from = now - this.policy.windowMs;
    let i = 0;
    while (i < this.outcomes.length && this.outcomes[i]!.at < from) i++;
    if (i > 0) this.outcomes.splice(0, i);
  }
}
