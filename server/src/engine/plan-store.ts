// The planning boundary: how the engine gets a function's plan and where validated plans go. The
// engine talks only to these interfaces; the plan cache (server/src/cache/) implements them, so the
// engine never imports the cache. Types plus the store-less default: planning straight from the
// templates, storing nothing.
// Must never hand the engine an unvalidated plan as validated, and never wait on anything.
import type { LanguageSpec } from '../languages/spec.js';
import { planFunction, type Plan } from './plan.js';
import type { Site } from './sites.js';
import type { EngineOptions } from './types.js';

export interface SitePlan {
  plan: Plan | string;
  /** Opaque to the engine: handed back through commit() once the file validates. */
  pending?: object;
  hit?: boolean;
}

/** Where an adopted plan came from, stored beside it (the cache's index file). */
export interface ProposalProvenance {
  model: string;
  endpoint?: string;
  attempts: number;
  inputTokens?: number;
  outputTokens?: number;
  costUsd?: number;
  /** The checks the proposal passed before the engine took it (`compile` among them when run). */
  validations: string[];
}

/** One file's planning, through whatever store backs it. */
export interface FilePlanner {
  /** The template plan (or why there is none); never called for a language without templates. */
  plan(site: Site): SitePlan;
  /** A proposal validated and stored for this very function before: it never costs twice. */
  storedProposal(site: Site): Plan | undefined;
  /** Stores the pending template plans of functions whose file passed validation. */
  commit(items: readonly { pending?: object }[]): void;
  /** Stores a proposal the whole file validated with. */
  keepProposal(site: Site, plan: Plan, provenance: ProposalProvenance): void;
}

export interface PlanStore {
  filePlanner(spec: LanguageSpec, text: string, opts: EngineOptions): FilePlanner;
}

/** No store: plans come straight from the templates and nothing is kept. */
export const templatesOnly: PlanStore = {
  filePlanner(spec, text, opts) {
    return {
      plan: (site) => ({ plan: planFunction(spec, site, text, { relPath: opts.relPath, kinds: opts.kinds, redact: opts.redact }) }),
      storedProposal: () => undefined,
      commit: () => undefined,
      keepProposal: () => undefined,
    };
  },
};
