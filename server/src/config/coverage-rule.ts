// The coverage rule: what a function lacks is what the engine found missing (`FunctionSite.missing`)
// among what its file requires, and a function that lacks anything is `missing`: one diagnostic,
// one "Add telemetry" action, one finding of `check`. Also the words of that diagnostic. Shared by
// the language server, the workspace scan, the pool and the CLI. Plain data in, plain data out.
// Must never decide what is required (requirements.ts does) nor find what is missing (the engine does).
import { PROBE_KINDS, type FunctionSite, type ProbeKind } from '../engine/types.js';

export type FunctionState = 'instrumented' | 'ignored' | 'missing' | 'broken' | 'skipped' | 'not-required';

/** What the rule needs to know of a function. */
export type RuleSite = Pick<FunctionSite, 'kind' | 'instrumented' | 'ignored' | 'broken' | 'skip' | 'missing'>;

/** What the rule needs to know of a file's requirements. */
export interface Requirement {
  kinds: readonly ProbeKind[];
  /** Grammar node types that must carry telemetry; `*` means every one. */
  functionTypes: readonly string[];
}

/** The required kinds `site` lacks, in PROBE_KINDS order; [] when it cannot or need not carry any. */
export function lackingKinds(site: RuleSite, requirement: Requirement): ProbeKind[] {
  if (site.broken || site.skip !== undefined) return [];
  const { functionTypes } = requirement;
  if (!functionTypes.includes('*') && !functionTypes.includes(site.kind)) return [];
  return PROBE_KINDS.filter((kind) => site.missing.includes(kind) && requirement.kinds.includes(kind));
}

export function requirementState(site: RuleSite, requirement: Requirement): FunctionState {
  return stateOf(site, lackingKinds(site, requirement));
}

/** The state of a function that lacks `lacking` (from lackingKinds); an ignore comment wins over a lack. */
export function stateOf(site: Pick<FunctionSite, 'instrumented' | 'ignored' | 'broken' | 'skip'>, lacking: readonly ProbeKind[]): FunctionState {
  if (site.broken) return 'broken';
  if (site.skip !== undefined) return 'skipped';
  if (lacking.length > 0) return site.ignored ? 'ignored' : 'missing';
  if (site.instrumented) return 'instrumented';
  return site.ignored ? 'ignored' : 'not-required';
}

/**
 * "`parse` lacks telemetry" when it lacks its entry probe (so it has none), otherwise the deep
 * kinds it lacks: "`parse` lacks loop and exception telemetry".
 */
export function lackMessage(name: string, lacking: readonly ProbeKind[]): string {
  if (lacking.length === 0 || lacking.includes('function')) return `\`${name}\` lacks telemetry`;
  return `\`${name}\` lacks ${englishList(PROBE_KINDS.filter((kind) => lacking.includes(kind)))} telemetry`;
}

/** `a`, `a and b`, `a, b and c`. */
export function englishList(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}
