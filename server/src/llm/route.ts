// Which endpoint a request goes to, as a pure function of the endpoints' state: among those under
// their cap and not cooling down or held by Retry-After, one this request has not tried yet, then
// the fewest in flight, then one with the model loaded wholly on its GPU, then loaded partly on the
// CPU (degraded), then the most free GPU memory (or the least held by loaded models); never one whose model list lacks the model while
// another has it. Or, when none may take it, when to look again.
import type { EndpointState } from './endpoint.js';
import { presence } from './ollama-inventory.js';

export interface RouteWant {
  model: string;
  /** Endpoints this request already failed on: a retry fails over to another when it can. */
  tried: ReadonlySet<string>;
  /** This request's own backoff per endpoint (ms since epoch). */
  notBefore: ReadonlyMap<string, number>;
}

export type RouteChoice = { endpoint: EndpointState } | { endpoint: null; retryAt: number | null };

export function route(endpoints: readonly EndpointState[], want: RouteWant, now: number): RouteChoice {
  // An Ollama server that answered its model list without the model would answer 404: wait for one
  // that has it, unless none does (then the servers' own errors say so).
  const having = endpoints.filter((e) => !knownMissing(e, want.model));
  let best: EndpointState | null = null;
  let bestKey: number[] = [];
  let retryAt: number | null = null;
  for (const e of having.length > 0 ? having : endpoints) {
    const from = Math.max(e.health.availableAt(), want.notBefore.get(e.url) ?? 0);
    if (from > now) {
      retryAt = retryAt === null ? from : Math.min(retryAt, from);
      continue;
    }
    // Full: a release wakes the queue, no timer needed.
    if (e.inFlight >= e.cap) continue;
    // Without a GPU reading (a remote server), the GPU memory its loaded models hold is the proxy.
    const key = [want.tried.has(e.url) ? 1 : 0, e.inFlight, modelRank(e, want.model), -(e.gpu?.memoryFreeMiB ?? -1), vramHeld(e), e.index];
    if (best === null || less(key, bestKey)) {
      best = e;
      bestKey = key;
    }
  }
  return best ? { endpoint: best } : { endpoint: null, retryAt };
}

function knownMissing(e: EndpointState, model: string): boolean {
  return e.inventory !== null && e.inventory.reachable && presence(e.inventory, model) === undefined;
}

/** 0: loaded wholly on the GPU; 1: loaded, partly on the CPU; 2: on disk; 3: unknown or absent. */
function modelRank(e: EndpointState, model: string): number {
  const p = e.inventory ? presence(e.inventory, model) : undefined;
  if (!p) return 3;
  if (p.loaded) return p.degraded ? 1 : 0;
  return 2;
}

function vramHeld(e: EndpointState): number {
  return (e.inventory?.models ?? []).reduce((sum, m) => sum + (m.loaded ? (m.sizeVram ?? 0) : 0), 0);
}

function less(a: number[], b: number[]): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! < b[i]!;
  return false;
}
