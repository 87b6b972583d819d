// Site planner: how the engine plans a function, through the plan cache when it has one.
// A function is looked up by its alias (its lines as they stand), then by its key; a hit is
// relocated to where the function is now; a miss is planned from the templates and, when
// its relocatable form reproduces the plan exactly (here and for other values), kept as pending
// until the engine's validation of the whole file passes; commit() then stores it.
// Proposals (LLM plans) the engine adopted are stored under their own keys, with their provenance,
// and handed back for the same function text: the same function never costs twice.
// Must never hand out a plan that differs from planFunction()'s, and never store an unvalidated one.
import type { LanguageSpec } from '../languages/spec.js';
import { planFunction, type Plan, type PlanInput } from '../engine/plan.js';
import type { FilePlanner, ProposalProvenance, SitePlan as EngineSitePlan } from '../engine/plan-store.js';
import type { Site } from '../engine/sites.js';
import type { EngineOptions } from '../engine/types.js';
import { aliasOf, canonicalSettings, keyedText, keyOf, type Keyed, type PlanSettings } from './cache-key.js';
import { FunctionBlock } from './function-block.js';
import type { PlanCache } from './plan-cache.js';
import { fromRelocatable, samePlan, toRelocatable, type RelocatablePlan, type Values } from './relocate.js';

/**
 * The engine options that change a function's plan, hence part of the key: the kinds inserted and
 * the redaction pattern. relPath (like the name and line) is a placeholder, and runtimeImport and
 * esm shape only the import. An option the planner starts reading must be listed here.
 */
export const PLAN_SETTINGS: readonly (keyof EngineOptions)[] = ['kinds', 'redact'];

/** What the engine's validate() checks, recorded with every stored plan. */
export const ENGINE_VALIDATIONS = ['reparse', 'strip-roundtrip'] as const;

export interface PendingPlan {
  key: string;
  plan: RelocatablePlan;
  /** The function's alias, set to lead to the plan once it is stored. */
  alias: Keyed;
}

export interface SitePlan extends EngineSitePlan {
  /** Set on a miss whose plan can be stored once the file validates. */
  pending?: PendingPlan;
}

export class SitePlanner implements FilePlanner {
  private readonly version?: string;
  private readonly settings: PlanSettings;
  private readonly settingsText: string;

  constructor(
    private readonly spec: LanguageSpec,
    private readonly text: string,
    private readonly opts: EngineOptions,
    private readonly cache?: PlanCache,
  ) {
    this.version = cache?.templateVersion(spec);
    this.settings = planSettings(opts);
    this.settingsText = canonicalSettings(this.settings);
  }

  plan(site: Site): SitePlan {
    const { spec, text, cache } = this;
    const values: Values = { name: site.name, relPath: this.opts.relPath, line: site.line };
    const fresh = () => planFunction(spec, site, text, this.input(values.relPath));
    if (!cache) return { plan: fresh() };
    const alias = aliasOf({ lang: spec.id, version: this.version!, settingsText: this.settingsText, text, range: site.range });
    const where = [site.range.start, alias.start, alias.base, values.name, values.relPath, values.line];
    let block: FunctionBlock | undefined;
    const relocate = (stored: RelocatablePlan) => (block ??= FunctionBlock.of(text, site.range)) && fromRelocatable(stored, block, values, site.range.start);
    // First by alias: a function met before exactly as it stands needs no block or key (most hits).
    // A stored plan that cannot serve here (null, either way) is not replaced by a fresh one.
    const byAlias = cache.lookupAlias(alias, where, relocate);
    if (byAlias) return { plan: byAlias, hit: true };
    if (byAlias === null) return { plan: fresh() };
    const fb = (block ??= FunctionBlock.of(text, site.range));
    const keyed = fb && keyOf({ lang: spec.id, version: this.version!, settings: this.settings, settingsText: this.settingsText, block: fb, range: site.range, tabSensitive: spec.style === 'indent' });
    if (!fb || !keyed) return { plan: fresh() };
    const relocated = cache.lookup(keyed.key, keyed, where, relocate);
    if (relocated !== undefined) cache.alias(alias, keyed.key);
    if (relocated) return { plan: relocated, hit: true };
    const plan = fresh();
    if (typeof plan === 'string' || relocated === null) return { plan };
    const rel = toRelocatable(plan, fb, values);
    return typeof rel !== 'string' && this.reproduces(rel, site, fb, values, plan) ? { plan, pending: { key: keyed.key, plan: { ...rel, src: keyedText(keyed) }, alias } } : { plan };
  }

  private input(relPath: string): PlanInput {
    return { relPath, kinds: this.opts.kinds, redact: this.opts.redact };
  }

  /** Stores the pending plans of functions whose file passed validation. */
  commit(items: readonly { pending?: object }[]): void {
    if (!this.cache) return;
    const provenance = { source: { kind: 'template' as const }, templateVersion: this.version!, validations: ['relocation', ...ENGINE_VALIDATIONS] };
    for (const { pending } of items) {
      const p = pending as PendingPlan | undefined;
      if (!p) continue;
      this.cache.put(p.key, this.spec.id, p.plan, provenance);
      this.cache.alias(p.alias, p.key);
    }
  }

  storedProposal(site: Site): Plan | undefined {
    const at = this.proposalKey(site);
    if (!at) return undefined;
    const stored = this.cache!.get(at.key, at.keyed);
    return stored && fromRelocatable(stored, at.block, this.values(site), site.range.start);
  }

  keepProposal(site: Site, plan: Plan, provenance: ProposalProvenance): void {
    const at = this.proposalKey(site);
    if (!at) return;
    const rel = toRelocatable(plan, at.block, this.values(site));
    if (typeof rel === 'string') return;
    const { validations, model, ...rest } = provenance;
    const source = { kind: 'llm' as const, model, ...rest };
    this.cache!.put(at.key, this.spec.id, { ...rel, src: keyedText(at.keyed) }, { source, templateVersion: this.version!, validations: [...validations, ...ENGINE_VALIDATIONS] });
  }

  /** Proposals are keyed apart from template plans: the same text and settings, marked `llm`. */
  private proposalKey(site: Site): { key: string; keyed: Keyed; block: FunctionBlock } | undefined {
    const block = this.cache && FunctionBlock.of(this.text, site.range);
    const keyed = block && keyOf({ lang: this.spec.id, version: this.version!, settings: { ...this.settings, source: 'llm' }, block, range: site.range, tabSensitive: true });
    return keyed ? { key: keyed.key, keyed, block: block! } : undefined;
  }

  private values(site: Site): Values {
    return { name: site.name, relPath: this.opts.relPath, line: site.line };
  }

  /**
   * The relocatable plan gives back `plan` here, and for another name, path and line gives what
   * the templates give: so a placeholder stands exactly where the templates put each value.
   */
  private reproduces(rel: RelocatablePlan, site: Site, block: FunctionBlock, values: Values, plan: Plan): boolean {
    if (!samePlan(fromRelocatable(rel, block, values, site.range.start), plan)) return false;
    const pin = rel.pinned ?? {};
    const other: Values = {
      name: pin.name ?? `${values.name}_moved`,
      relPath: pin.relPath ?? `moved/${values.relPath}`,
      line: pin.line ?? values.line + 1000,
    };
    const fresh = planFunction(this.spec, { ...site, name: other.name, line: other.line }, this.text, this.input(other.relPath));
    return typeof fresh !== 'string' && samePlan(fromRelocatable(rel, block, other, site.range.start), fresh);
  }
}

/** The part of `opts` that is keyed (see PLAN_SETTINGS). */
export function planSettings(opts: EngineOptions): PlanSettings {
  const out: Record<string, PlanSettings[string]> = {};
  for (const name of PLAN_SETTINGS) {
    const v = opts[name];
    if (v !== undefined) out[name] = v;
  }
  return out;
}
