// The LLM stage of `inject`: for the functions the engine reports in `needsLlm` (no templates,
// --force-llm, a template plan that failed validation), asks the model through the one client of
// the process (pool, --budget guard, ledger), at most --max-parallel calls at once, and instruments
// the file with the proposals that passed every check. Plans it adopted are cached with provenance
// (`.telemetry_cache/` under the root), so the same function never costs twice. Shows a progress
// line and, at the end, a stop summary (files done, spend and budget, what was left).
// Must never block the template path: without a configured provider, or with --no-llm, those
// functions are skipped with the reason and everything else is instrumented as before.
import path from 'node:path';
import { PlanCache } from '../cache/plan-cache.js';
import { Engine, type AddResult, type NeedsLlm } from '../engine/engine.js';
import type { EngineOptions, FunctionSite, LanguageId } from '../engine/types.js';
import { languageById } from '../languages/registry.js';
import { CompileChecker } from '../llm/propose/compile-check.js';
import { Budget, parseBudget, stopSummary, usd } from '../llm/budget.js';
import { llmConfig, LlmConfigError } from '../llm/config.js';
import { createLlmClient } from '../llm/create-client.js';
import { Ledger, ledgerPath } from '../llm/ledger.js';
import { Prices } from '../llm/prices.js';
import { LessonStore } from '../llm/propose/lessons.js';
import { Proposer, type FunctionOutcome } from '../llm/propose/proposer.js';
import type { LlmClient } from '../llm/types.js';
import { selects, type Selection } from '../pool/tasks.js';
import { besideImport } from '../workspace/runtime-location.js';
import { UsageError } from './args.js';
import type { Reporter } from './reporter.js';

export const llmOptions = {
  'force-llm': { type: 'boolean' },
  'no-llm': { type: 'boolean' },
  budget: { type: 'string' },
  'max-parallel': { type: 'string' },
  validate: { type: 'string' },
} as const;

export const llmFlags = [
  ['--force-llm', 'have the LLM propose every function, templates or not (LLM_PROVIDER, LLM_MODEL, LLM_BASE_URL)'],
  ['--no-llm', 'never call the LLM: functions that need it are skipped'],
  ['--budget USD', 'never spend more than this on LLM calls; stop cleanly with a summary when reached'],
  ['--max-parallel N', 'LLM calls at once (default: the pool\'s capacity)'],
  ['--validate compile', 'also compile each instrumented file (where its compiler is on PATH and the original compiles); a function the compiler blames goes to the LLM for repair'],
] as const;

export interface LlmFlagValues {
  'force-llm'?: boolean;
  'no-llm'?: boolean;
  budget?: string;
  'max-parallel'?: string;
  validate?: string;
}

export interface LlmChoice {
  force: boolean;
  off: boolean;
  budgetUsd?: number;
  maxParallel?: number;
  /** Compile template results too (--validate=compile). */
  compile: boolean;
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
  if (values.validate !== undefined && values.validate !== 'compile') throw new UsageError(`--validate takes "compile", not "${values.validate}"`);
  return { force: !!values['force-llm'], off: !!values['no-llm'], budgetUsd, maxParallel, compile: values.validate === 'compile' };
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
  private readonly compiler = new CompileChecker();
  private cached?: PlanCache;
  private engineMade?: Promise<Engine>;
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
    if (this.choice.compile && first.changes.length > 0) {
      // Checked as the compiler sees it, with the runtime beside the file (the lines are the same).
      const spec = languageById(lang);
      const engine = await this.engine();
      await engine.ready(lang);
      const checked = engine.add(lang, text, { ...options, runtimeImport: besideImport(lang, spec.runtimeFiles, spec.runtimeSubdir) }, selects(select)).text;
      const blamed = await this.compileBlame(lang, text, relPath, checked);
      if (blamed.size > 0) return this.repair(lang, text, relPath, options, select, blamed);
    }
    if (first.needsLlm.length === 0) return first;
    if (this.choice.off) return skipAll(first, (n) => `needs the LLM (${n.reason}), and --no-llm is set`);
    const engine = await this.engine();
    await engine.ready(lang);
    // Again on this thread, through the cache: proposals adopted before need no call.
    const pick = selects(select);
    return this.propose(lang, text, relPath, options, pick, engine.add(lang, text, options, pick));
  }

  /**
   * `--dry-run`: what `instrument` would do without calling the model (calls cost money). Proposals
   * stored before are used; the functions still needing the LLM stay in `needsLlm`, to be listed.
   */
  async withoutCalls(lang: LanguageId, text: string, options: EngineOptions, select: Selection, first: AddResult): Promise<AddResult> {
    if (first.needsLlm.length === 0) return first;
    if (this.choice.off) return skipAll(first, (n) => `needs the LLM (${n.reason}), and --no-llm is set`);
    const engine = await this.engine();
    await engine.ready(lang);
    return engine.add(lang, text, options, selects(select));
  }

  /**
   * Proposes for `own.needsLlm` and adds the accepted proposals to what `pick` selects (plus, for
   * repairs, the `extra` functions whose proposal was accepted).
   */
  private async propose(
    lang: LanguageId,
    text: string,
    relPath: string,
    options: EngineOptions,
    pick: (f: FunctionSite) => boolean,
    own: AddResult,
    extra?: (f: FunctionSite) => boolean,
  ): Promise<AddResult> {
    if (own.needsLlm.length === 0) return own;
    const opened = await this.open();
    if ('reason' in opened) return skipAll(own, (n) => `needs the LLM (${n.reason}), which is not configured: ${opened.reason}`);
    this.used = true;
    const { engine } = opened;
    this.functionsSeen += own.needsLlm.length;
    const outcomes = await Promise.all(own.needsLlm.map((need) => this.proposeOne(opened, { lang, text, relPath, path: path.resolve(this.root, relPath), esm: options.esm, kinds: options.kinds, redact: options.redact }, need)));
    const adopted = outcomes.flatMap((o) => (o.adopted ? [o.adopted] : []));
    const taken = new Set(adopted.map((a) => a.offset));
    const select = (f: FunctionSite) => pick(f) || (!!extra && extra(f) && taken.has(f.nameRange.start));
    const result = adopted.length ? engine.add(lang, text, options, select, undefined, { adopted }) : own;
    const why = new Map(outcomes.map((o) => [o.need.offset, o.failed]));
    const left = own.needsLlm.filter((n) => !taken.has(n.offset));
    return skipAll({ ...result, needsLlm: left }, (n) => why.get(n.offset) ?? `needs the LLM (${n.reason})`);
  }

  /**
   * --validate=compile: the functions the compiler blames in the template result (by the lines its
   * messages name), with its first message; none when it passes, is not on PATH, or the original fails it.
   */
  private async compileBlame(lang: LanguageId, text: string, relPath: string, instrumented: string): Promise<Map<number, string>> {
    const spec = languageById(lang);
    const blamed = new Map<number, string>();
    if (!spec.compileChecks) return blamed;
    const engine = await this.engine();
    const input = { fileName: path.basename(relPath), runtime: engine.runtimeFiles(lang), from: path.dirname(path.resolve(this.root, relPath)) };
    const report = await this.compiler.checkAll(spec.compileChecks, input, text, instrumented);
    if (!report.failed) return blamed;
    const errors = report.failed.errors.map((e) => `${report.failed?.name}: ${e}`);
    const lines = new Set<number>();
    // The line in `a.go:12:3`, `a.ts(12,3)` and `File "a.py", line 12`.
    for (const e of errors) for (const m of e.matchAll(/(?:\.\w+[:(]|line )(\d+)/g)) lines.add(Number(m[1]));
    await engine.ready(lang);
    const after = engine.analyze(lang, instrumented);
    const lineOf = (offset: number) => instrumented.slice(0, offset).split('\n').length;
    const found = after.functions.filter((f) => f.instrumented && [...lines].some((l) => lineOf(f.range.start) <= l && l <= lineOf(f.range.end)));
    // The innermost function holding a line is the one to blame; its name finds it in the original.
    const innermost = found.filter((f) => !found.some((g) => g !== f && f.range.start <= g.range.start && g.range.end <= f.range.end));
    const original = engine.analyze(lang, text).functions;
    for (const f of innermost) {
      const same = original.find((o) => o.name === f.name && o.kind === f.kind);
      if (same) blamed.set(same.nameRange.start, `compile: ${errors[0]}`);
    }
    if (blamed.size === 0) this.reporter.warn(`${relPath}: the instrumented file does not compile and no function could be blamed: ${errors[0]}`);
    return blamed;
  }

  /** Templates for the functions the compiler did not blame; proposals (repairs) for the ones it did. */
  private async repair(lang: LanguageId, text: string, relPath: string, options: EngineOptions, select: Selection, blamed: Map<number, string>): Promise<AddResult> {
    const pick = selects(select);
    const isBlamed = (f: { nameRange: { start: number } }) => blamed.has(f.nameRange.start);
    const engine = await this.engine();
    const forced = engine.add(lang, text, { ...options, forceLlm: true }, (f) => pick(f) && isBlamed(f)).needsLlm.map((n) => ({ ...n, reason: blamed.get(n.offset) ?? n.reason, checkFailed: blamed.get(n.offset) }));
    const rest = engine.add(lang, text, options, (f) => pick(f) && !isBlamed(f));
    if (this.choice.off) return { ...rest, skipped: [...rest.skipped, ...forced.map((n) => ({ name: n.name, reason: `${n.reason}; --no-llm is set` }))] };
    const first = { ...rest, needsLlm: [...rest.needsLlm, ...forced] };
    const done = await this.propose(lang, text, relPath, options, (f) => pick(f) && !isBlamed(f), first, isBlamed);
    return done;
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
    if (opened && !('reason' in opened)) await opened.client.close();
    await this.cached?.flush();
  }

  private async proposeOne(opened: Opened, file: Parameters<Proposer['propose']>[0], need: NeedsLlm): Promise<FunctionOutcome> {
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

  /** This thread's engine, through the workspace's plan cache (shared with the LLM client once opened). */
  private engine(): Promise<Engine> {
    this.cached ??= PlanCache.forWorkspace(this.root, { log: (m) => this.reporter.warn(m) });
    return (this.engineMade ??= Engine.create({ cache: this.cached }));
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
      const engine = await this.engine();
      const cache = this.cached!;
      const prices = new Prices({ env: this.env, warn });
      const budget = this.choice.budgetUsd === undefined ? undefined : new Budget(this.choice.budgetUsd, prices);
      const ledger = new Ledger(ledgerPath(this.root), { warn });
      const client = createLlmClient(config.config, { guard: budget, observer: ledger, log: warn });
      const described = client.describe();
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
