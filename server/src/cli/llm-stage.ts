// The LLM stage of `inject`: for the functions the engine reports in `needsLlm` (no templates,
// --force-llm, a template plan that failed validation), asks the model through the one client of
// the process (pool, --budget guard, ledger), at most --max-parallel calls at once, and instruments
// the file with the proposals that passed every check. Plans it adopted are cached with provenance
// (`.telemetry_cache/` under the root), so the same function never costs twice. Shows a progress
// line and, at the end, a stop summary (files done, spend and budget, what was left).
// Must never block the template path: without a configured provider, or with --no-llm, those
// functions are skipped with the reason and everything else is instrumented as before.
import { PlanCache } from '../cache/plan-cache.js';
import { Engine, type AddResult, type NeedsLlm } from '../engine/engine.js';
import type { EngineOptions, LanguageId } from '../engine/types.js';
import { Budget, parseBudget, stopSummary, usd } from '../llm/budget.js';
import { llmConfig, LlmConfigError } from '../llm/config.js';
import { createLlmClient } from '../llm/create-client.js';
import { Ledger, ledgerPath } from '../llm/ledger.js';
import { Prices } from '../llm/prices.js';
import { LessonStore } from '../llm/propose/lessons.js';
import { Proposer, type FunctionOutcome } from '../llm/propose/proposer.js';
import type { LlmClient } from '../llm/types.js';
import { selects, type Selection } from '../pool/tasks.js';
import { UsageError } from './args.js';
import type { Reporter } from './reporter.js';

export const llmOptions = {
  'force-llm': { type: 'boolean' },
  'no-llm': { type: 'boolean' },
  budget: { type: 'string' },
  'max-parallel': { type: 'string' },
} as const;

export const llmFlags = [
  ['--force-llm', 'have the LLM propose every function, templates or not (LLM_PROVIDER, LLM_MODEL, LLM_BASE_URL)'],
  ['--no-llm', 'never call the LLM: functions that need it are skipped'],
  ['--budget USD', 'never spend more than this on LLM calls; stop cleanly with a summary when reached'],
  ['--max-parallel N', 'LLM calls at once (default: the pool\'s capacity)'],
] as const;

export interface LlmFlagValues {
  'force-llm'?: boolean;
  'no-llm'?: boolean;
  budget?: string;
  'max-parallel'?: string;
}

export interface LlmChoice {
  force: boolean;
  off: boolean;
  budgetUsd?: number;
  maxParallel?: number;
}

export function parseLlmFlags(values: LlmFlagValues): LlmChoice {
  if (values['force-llm'] && values['no-llm']) throw new UsageError('--force-llm and --no-llm contradict each other');
  let budgetUsd: number | undefined;
  if (values.budget !== undefined) {
    budgetUsd = parseBudget(values.budget);
    if (budgetUsd === undefined) throw new UsageError(`--budget wants an amount in USD of at least 0, not "${values.budget}"`);
  }
  let maxParallel: number | undefined;
  if (values['max-parallel'] !== undefined) {
    if (!/^[1-9]\d*$/.test(values['max-parallel'].trim())) throw new UsageError(`--max-parallel wants a number of at least 1, not "${values['max-parallel']}"`);
    maxParallel = Number(values['max-parallel']);
  }
  return { force: !!values['force-llm'], off: !!values['no-llm'], budgetUsd, maxParallel };
}

interface Opened {
  client: LlmClient;
  proposer: Proposer;
  engine: Engine;
  cache: PlanCache;
  budget?: Budget;
  model: string;
  slots: number;
}

export class LlmStage {
  private opened?: Promise<Opened | { reason: string }>;
  private inFlight = 0;
  private waiting: (() => void)[] = [];
  private functionsDone = 0;
  private functionsSeen = 0;
  private spent = 0;
  private used = false;
  private stopped?: string;
  private readonly left: string[] = [];
  private readonly abort = new AbortController();
  filesDone = 0;

  constructor(
    readonly choice: LlmChoice,
    private readonly root: string,
    private readonly reporter: Reporter,
    private readonly filesTotal: number,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /** The file's add() result with its needsLlm functions proposed, adopted where they passed, or skipped. */
  async instrument(lang: LanguageId, text: string, relPath: string, options: EngineOptions, select: Selection, first: AddResult): Promise<AddResult> {
    if (first.needsLlm.length === 0) return first;
    if (this.choice.off) return skipAll(first, (n) => `needs the LLM (${n.reason}), and --no-llm is set`);
    const opened = await this.open();
    if ('reason' in opened) return skipAll(first, (n) => `needs the LLM (${n.reason}), which is not configured: ${opened.reason}`);
    this.used = true;
    const { engine, proposer } = opened;
    await engine.ready(lang);
    // Again on this thread, through the cache: proposals adopted before need no call.
    const pick = selects(select);
    const own = engine.add(lang, text, options, pick);
    this.functionsSeen += own.needsLlm.length;
    const outcomes = await Promise.all(own.needsLlm.map((need) => this.propose(opened, { lang, text, relPath, kinds: options.kinds, redact: options.redact }, need)));
    const adopted = outcomes.flatMap((o) => (o.adopted ? [o.adopted] : []));
    const result = adopted.length ? engine.add(lang, text, options, pick, undefined, { adopted }) : own;
    const why = new Map(outcomes.map((o) => [o.need.offset, o.failed]));
    return skipAll(result, (n) => why.get(n.offset) ?? `needs the LLM (${n.reason})`);
  }

  /** The stop summary, once any function needed the LLM. */
  summary(): string {
    if (!this.used) return '';
    const budgetUsd = this.choice.budgetUsd ?? null;
    const head = this.stopped ? `stopped calling the LLM: ${this.stopped}\n` : '';
    return head + stopSummary({ filesDone: this.filesDone, filesTotal: this.filesTotal, spentUsd: this.spent, budgetUsd, left: this.left });
  }

  async close(): Promise<void> {
    this.abort.abort();
    const opened = await this.opened;
    if (opened && !('reason' in opened)) {
      await opened.client.close();
      await opened.cache.flush();
    }
  }

  private async propose(opened: Opened, file: Parameters<Proposer['propose']>[0], need: NeedsLlm): Promise<FunctionOutcome> {
    const id = `${file.relPath}::${need.name}::${need.kind}`;
    const none = { attempts: 0, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
    if (this.stopped) {
      this.left.push(id);
      return { need, failed: `left uninstrumented: ${this.stopped}`, spent: none };
    }
    await this.slot(opened.slots);
    try {
      if (this.stopped) {
        this.left.push(id);
        return { need, failed: `left uninstrumented: ${this.stopped}`, spent: none };
      }
      this.draw();
      const outcome = await opened.proposer.propose(file, need, this.abort.signal);
      this.spent += outcome.spent.costUsd;
      if (outcome.failed && /budget/i.test(outcome.failed)) {
        this.stopped ??= `the budget of ${usd(this.choice.budgetUsd ?? 0)} would be exceeded`;
        this.left.push(id);
      } else if (outcome.failed) this.left.push(id);
      return outcome.failed ? { ...outcome, failed: `the LLM's proposals failed the checks: ${outcome.failed}` } : outcome;
    } finally {
      this.functionsDone++;
      this.release();
      this.draw(true);
    }
  }

  private open(): Promise<Opened | { reason: string }> {
    this.opened ??= (async () => {
      let config;
      try {
        config = llmConfig(this.env);
      } catch (error) {
        if (error instanceof LlmConfigError) return { reason: error.message };
        throw error;
      }
      if (!config.configured) return { reason: config.reason };
      const warn = (m: string) => this.reporter.warn(m);
      const cache = PlanCache.forWorkspace(this.root, { log: warn });
      const prices = new Prices({ env: this.env, warn });
      const budget = this.choice.budgetUsd === undefined ? undefined : new Budget(this.choice.budgetUsd, prices);
      const ledger = new Ledger(ledgerPath(this.root), { warn });
      const client = createLlmClient(config.config, { guard: budget, observer: ledger, log: warn });
      const described = client.describe();
      const engine = await Engine.create({ cache });
      const lessons = new LessonStore(cache.dir);
      const remote = config.config.provider !== 'ollama';
      const proposer = new Proposer({ client, engine, lessons, mask: remote, strongLast: config.config.models.length > 1 });
      const capacity = described.configured ? described.capacity : 1;
      return { client, proposer, engine, cache, budget, model: config.config.models[0]!, slots: this.choice.maxParallel ?? Math.max(1, capacity) };
    })();
    return this.opened;
  }

  private async slot(max: number): Promise<void> {
    while (this.inFlight >= max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /** The progress line: files, functions, LLM calls in flight, budget left. */
  private draw(settled = false): void {
    const budget = this.choice.budgetUsd === undefined ? '' : `, budget left ${usd(Math.max(0, this.choice.budgetUsd - this.spent))}`;
    this.reporter.status(
      `llm: files ${this.filesDone}/${this.filesTotal}, functions ${this.functionsDone}/${this.functionsSeen}, calls in flight ${this.inFlight}${budget}`,
      settled,
    );
  }
}

/** `result` with every function still in needsLlm moved to skipped, with `why`. */
function skipAll(result: AddResult, why: (n: NeedsLlm) => string): AddResult {
  if (result.needsLlm.length === 0) return result;
  return { ...result, skipped: [...result.skipped, ...result.needsLlm.map((n) => ({ name: n.name, reason: why(n) }))], needsLlm: [] };
}
