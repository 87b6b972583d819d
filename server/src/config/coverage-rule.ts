// The coverage rule: what a function lacks is what the engine found missing (`FunctionSite.missing`)
// among what its file requires, and a function that lacks anything is `missing`: one diagnostic,
// one "Add telemetry" action, one finding of `check`. Also the words of that diagnostic, and the
// counts and percentage over many functions (CoverageCounts, one rounding). Shared by the language
// server, the workspace scan, the pool and the CLI. Plain data in, plain data out.
// Must never decide what is required (requirements.ts does) nor find what is missing (the engine does).
import type { CoverageCounts } from '../../../protocol/coverage.js';
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

/** The counts of functions in these states, and the percentage (instrumented + ignored) / eligible. */
export function countStates(states: Iterable<FunctionState>): CoverageCounts {
  const counts = { functions: 0, instrumented: 0, ignored: 0, missing: 0, excluded: 0, broken: 0, skipped: 0, notRequired: 0 };
  for (const state of states) {
    counts.functions++;
    if (state === 'not-required') counts.notRequired++;
    else counts[state]++;
  }
  return withPercentage(counts);
}

/** Counts added up, the percentage computed again from the sums (never averaged). */
export function sumCounts(list: Iterable<CoverageCounts>): CoverageCounts {
  const sum = { functions: 0, instrumented: 0, ignored: 0, missing: 0, excluded: 0, broken: 0, skipped: 0, notRequired: 0 };
  for (const c of list) {
    for (const key of Object.keys(sum) as (keyof typeof sum)[]) sum[key] += c[key];
  }
  return withPercentage(sum);
}

function withPercentage(counts: Omit<CoverageCounts, 'coverage' | 'excluded'> & { excluded: number }): CoverageCounts {
  const excluded = counts.broken + counts.skipped + counts.notRequired;
  const covered = counts.instrumented + counts.ignored;
  const eligible = covered + counts.missing;
  return { ...counts, excluded, coverage: eligible === 0 ? 100 : roundDown((100 * covered) / eligible, 2) };
}

/** Rounded down, so that 99.999% never reads as 100%. */
export function roundDown(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.floor(value * scale + 1e-9) / scale;
}

/** `87.5%`: one decimal, rounded down, as check's summary and messages print it. */
export function percentText(coverage: number): string {
  return `${roundDown(coverage, 1).toFixed(1)}%`;
}
