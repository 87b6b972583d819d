// `--budget <USD>`: the CallGuard the pool asks before every call. It reserves the call's worst case
// (an upper bound of its input tokens plus max_tokens, at the model's price), refuses a call whose
// reservation would take spend plus what is held past the budget, and commits the real usage when
// the call ends, releasing the rest. Also the stop summary printed when the budget runs out.
// Must never let a call start that could take spend past the budget, and never count a call twice.
import type { CallEstimate, CallGuard, LlmUsage, Reservation } from './types.js';
import type { Prices } from './prices.js';

/** Tokens a chat template adds per message and per request (role markers, separators): generous. */
const TEMPLATE_TOKENS = 64;

/**
 * An upper bound of the input tokens of a request made of these texts (system, prompt, the answer's
 * JSON schema): every token of a byte-level BPE tokenizer (OpenAI's, Anthropic's, Llama's) covers at
 * least one byte, so bytes plus the template's own tokens is never below the real count.
 */
export function inputTokenBound(...texts: string[]): number {
  return texts.reduce((sum, text) => sum + Buffer.byteLength(text, 'utf8') + TEMPLATE_TOKENS, TEMPLATE_TOKENS);
}

/** `--budget` text as USD: a finite number ≥ 0 (`5`, `0.25`, `$10`); undefined when malformed. */
export function parseBudget(text: string): number | undefined {
  const value = Number(text.trim().replace(/^\$/, ''));
  return text.trim() !== '' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

export interface BudgetState {
  budgetUsd: number;
  /** Committed cost of finished calls. */
  spentUsd: number;
  /** Worst cases held by calls in flight. */
  heldUsd: number;
  calls: number;
  refused: number;
}

/** Amounts are kept as whole nano-dollars, rounded up: integer sums are exact, so no rounding can carry spend past the budget. */
const NANO = 1e9;
const nano = (usdValue: number) => Math.ceil(usdValue * NANO - 1e-6);

export class Budget implements CallGuard {
  private readonly limit: number;
  private spent = 0;
  private held = 0;
  private calls = 0;
  private refusedCalls = 0;

  constructor(
    readonly budgetUsd: number,
    private readonly prices: Prices,
    /** Told when a call used more than its reservation: an estimate fell short, and the guarantee with it. */
    private readonly warn: (message: string) => void = () => {},
  ) {
    this.limit = Math.floor(budgetUsd * NANO);
  }

  reserve(estimate: CallEstimate): Reservation | { refused: string } {
    const worst = this.prices.cost(estimate.provider, estimate.model, { inputTokens: estimate.inputTokens, outputTokens: estimate.maxOutputTokens });
    if (worst === undefined) {
      this.refusedCalls++;
      return { refused: `no price for ${estimate.provider} model "${estimate.model}", so a budget cannot bound it; set LLM_PRICE_PER_MTOK="<input>,<output>"` };
    }
    const hold = nano(worst);
    if (this.spent + this.held + hold > this.limit) {
      this.refusedCalls++;
      return {
        refused: `budget: this call may cost up to ${usd(worst)}, and ${usd(this.spent / NANO)} spent plus ${usd(this.held / NANO)} held leaves ${usd(this.remainingUsd)} of ${usd(this.budgetUsd)}`,
      };
    }
    this.held += hold;
    let open = true;
    return {
      commit: (usage: LlmUsage | null, responseModel?: string): number => {
        if (!open) return 0; // a second commit of one call must not count it twice
        open = false;
        this.held -= hold;
        this.calls++;
        if (usage === null) return 0;
        const cost =
          (responseModel ? this.prices.cost(estimate.provider, responseModel, usage) : undefined) ??
          this.prices.cost(estimate.provider, estimate.model, usage) ??
          worst;
        // A usage beyond the estimate (a provider that ignored max_tokens) is charged as it was.
        if (nano(cost) > hold) {
          this.warn(`a ${estimate.provider} call to "${estimate.model}" cost ${usd(cost)}, more than the ${usd(worst)} reserved for it (${usage.inputTokens} input tokens against ${estimate.inputTokens} estimated, ${usage.outputTokens} output against ${estimate.maxOutputTokens})`);
        }
        this.spent += nano(cost);
        return cost;
      },
    };
  }

  /** What is left to reserve: the budget less spend and what calls in flight hold. */
  get remainingUsd(): number {
    return Math.max(0, this.limit - this.spent - this.held) / NANO;
  }

  state(): BudgetState {
    return { budgetUsd: this.budgetUsd, spentUsd: this.spent / NANO, heldUsd: this.held / NANO, calls: this.calls, refused: this.refusedCalls };
  }
}

export interface StopSummary {
  filesDone: number;
  filesTotal: number;
  spentUsd: number;
  budgetUsd: number | null;
  /** Functions (ids) left uninstrumented, e.g. because the budget refused their calls. */
  left: readonly string[];
}

/** The lines printed when a run stops cleanly on its budget (or ends with functions left). */
export function stopSummary(summary: StopSummary, shown = 20): string {
  const lines = [
    `${summary.filesDone} of ${summary.filesTotal} files done; spent ${usd(summary.spentUsd)}` +
      (summary.budgetUsd === null ? '' : ` of a ${usd(summary.budgetUsd)} budget`),
  ];
  if (summary.left.length > 0) {
    lines.push(`${summary.left.length} function${summary.left.length === 1 ? '' : 's'} left uninstrumented:`);
    lines.push(...summary.left.slice(0, shown).map((id) => `  ${id}`));
    if (summary.left.length > shown) lines.push(`  … and ${summary.left.length - shown} more`);
  }
  return `${lines.join('\n')}\n`;
}

/** Dollars with enough places for sub-cent calls: $0.000123, $1.50. */
export function usd(value: number): string {
  return value >= 1 || value === 0 ? `$${value.toFixed(2)}` : `$${value.toPrecision(3)}`;
}
