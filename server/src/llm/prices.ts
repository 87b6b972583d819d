// What a model call costs: the maintained price table bundled in @pydantic/genai-prices (its data
// ships inside the package; we never call its updatePrices, so nothing is fetched at run time),
// local (Ollama) models at $0, and for models the table does not know a price per million tokens
// from the settings or LLM_PRICE_PER_MTOK="<input>,<output>", with one warning per model.
// The budget, the ledger and `metrics --events` all price through this module.
// Must never fetch prices, never throw on an unknown model, and never warn twice for one model.
import { createRequire } from 'node:module';
import type { LlmUsage, ProviderName } from './types.js';

/** USD per million input and output tokens. */
export interface PerMTok {
  input: number;
  output: number;
}

export type PriceSource = 'table' | 'local' | 'settings' | 'env';

export interface PricesOptions {
  /** The settings' price for models the table lacks; wins over the environment. */
  override?: PerMTok;
  env?: NodeJS.ProcessEnv;
  /** Where the one warning per unknown model goes (stderr in the CLI, the session log in the server). */
  warn?: (message: string) => void;
}

type GenaiPrices = typeof import('@pydantic/genai-prices');
let table: GenaiPrices | undefined;
// The package's CommonJS build, loaded on first use: half a megabyte of price data that commands
// which never price anything should not parse.
const genaiPrices = (): GenaiPrices => (table ??= createRequire(import.meta.url)('@pydantic/genai-prices') as GenaiPrices);

/** `"<input>,<output>"` in USD per million tokens, e.g. `"0.5,1.5"`; undefined when malformed. */
export function parsePerMTok(text: string | undefined): PerMTok | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((p) => p.trim());
  if (parts.length !== 2 || parts.some((p) => p === '')) return undefined;
  const [input, output] = parts.map(Number) as [number, number];
  if (!Number.isFinite(input) || !Number.isFinite(output) || input < 0 || output < 0) return undefined;
  return { input, output };
}

export class Prices {
  private readonly override: { price: PerMTok; source: PriceSource } | undefined;
  private readonly warn: (message: string) => void;
  private readonly warned = new Set<string>();

  constructor(options: PricesOptions = {}) {
    this.warn = options.warn ?? (() => {});
    const envText = (options.env ?? process.env).LLM_PRICE_PER_MTOK;
    const fromEnv = parsePerMTok(envText);
    if (envText !== undefined && envText.trim() !== '' && fromEnv === undefined) {
      this.warn(`LLM_PRICE_PER_MTOK must be "<input>,<output>" in USD per million tokens (e.g. "0.5,1.5"), not ${JSON.stringify(envText)}; ignored`);
    }
    if (options.override) this.override = { price: options.override, source: 'settings' };
    else if (fromEnv) this.override = { price: fromEnv, source: 'env' };
  }

  /** The price per million tokens of a model, or undefined when neither the table nor the user gives one. */
  price(provider: ProviderName, model: string): { price: PerMTok; source: PriceSource } | undefined {
    if (provider === 'ollama') return { price: { input: 0, output: 0 }, source: 'local' };
    const found = lookup(provider, model);
    if (found) return { price: found, source: 'table' };
    const key = `${provider}\0${model}`;
    if (!this.warned.has(key)) {
      this.warned.add(key);
      this.warn(
        this.override
          ? `no price for ${provider} model "${model}" in the bundled table; using ${this.override.price.input},${this.override.price.output} USD per million tokens from ${this.override.source === 'env' ? 'LLM_PRICE_PER_MTOK' : 'the settings'}`
          : `no price for ${provider} model "${model}" in the bundled table; its calls count as $0 and a budget refuses them. Set LLM_PRICE_PER_MTOK="<input>,<output>" (USD per million tokens)`,
      );
    }
    return this.override;
  }

  /** The cost in USD of one call's usage, or undefined when the model has no price. */
  cost(provider: ProviderName, model: string, usage: LlmUsage): number | undefined {
    if (provider === 'ollama') return 0;
    const fromTable = costFromTable(provider, model, usage);
    if (fromTable !== undefined) return fromTable;
    const known = this.price(provider, model);
    if (!known) return undefined;
    return (usage.inputTokens * known.price.input + usage.outputTokens * known.price.output) / 1e6;
  }
}

/** The table's price of a million input and a million output tokens (tiers above that are not shown). */
function lookup(provider: ProviderName, model: string): PerMTok | undefined {
  const input = costFromTable(provider, model, { inputTokens: 1e6, outputTokens: 0 });
  const output = costFromTable(provider, model, { inputTokens: 0, outputTokens: 1e6 });
  return input === undefined || output === undefined ? undefined : { input, output };
}

/** The table's cost of a usage (tiered and dated prices applied by the package), or undefined. */
function costFromTable(provider: ProviderName, model: string, usage: LlmUsage): number | undefined {
  try {
    const result = genaiPrices().calcPrice({ input_tokens: usage.inputTokens, output_tokens: usage.outputTokens }, model, { providerId: provider });
    return result ? result.total_price : undefined;
  } catch {
    return undefined;
  }
}
