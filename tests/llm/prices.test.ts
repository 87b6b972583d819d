// Prices come from the bundled table, local models are free, and unknown models warn once and take
// the settings' or LLM_PRICE_PER_MTOK's price.
import { describe, expect, it } from 'vitest';
import { parsePerMTok, Prices } from '../../server/src/llm/prices.js';

const million = { inputTokens: 1_000_000, outputTokens: 1_000_000 };

describe('prices', () => {
  it('prices known cloud models from the bundled table, dated model names included', () => {
    const prices = new Prices({ env: {} });
    const mini = prices.cost('openai', 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0 });
    expect(mini).toBeGreaterThan(0);
    expect(prices.cost('openai', 'gpt-4o-mini-2024-07-18', { inputTokens: 1_000_000, outputTokens: 0 })).toBe(mini);
    const sonnet = prices.price('anthropic', 'claude-sonnet-4-20250514');
    expect(sonnet?.source).toBe('table');
    expect(sonnet!.price.output).toBeGreaterThan(sonnet!.price.input);
  });

  it('costs local Ollama models nothing', () => {
    expect(new Prices({ env: {} }).cost('ollama', 'llama3.1:8b', million)).toBe(0);
  });

  it('warns once for an unknown model and prices it from LLM_PRICE_PER_MTOK', () => {
    const warnings: string[] = [];
    const prices = new Prices({ env: { LLM_PRICE_PER_MTOK: '2, 6' }, warn: (w) => warnings.push(w) });
    expect(prices.cost('openai', 'in-house-model', million)).toBeCloseTo(8, 10);
    expect(prices.cost('openai', 'in-house-model', { inputTokens: 500_000, outputTokens: 0 })).toBeCloseTo(1, 10);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/no price for openai model "in-house-model".*2,6 USD per million tokens from LLM_PRICE_PER_MTOK/);
  });

  it('takes the settings price over the environment for unknown models', () => {
    const prices = new Prices({ env: { LLM_PRICE_PER_MTOK: '2,6' }, override: { input: 1, output: 1 } });
    expect(prices.cost('anthropic', 'claude-unreleased', million)).toBeCloseTo(2, 10);
  });

  it('says how to set a price when an unknown model has none, and costs it as unknown', () => {
    const warnings: string[] = [];
    const prices = new Prices({ env: {}, warn: (w) => warnings.push(w) });
    expect(prices.cost('openai', 'in-house-model', million)).toBeUndefined();
    expect(warnings[0]).toContain('LLM_PRICE_PER_MTOK="<input>,<output>"');
  });

  it('rejects a malformed LLM_PRICE_PER_MTOK with a warning', () => {
    const warnings: string[] = [];
    const prices = new Prices({ env: { LLM_PRICE_PER_MTOK: '2' }, warn: (w) => warnings.push(w) });
    expect(warnings[0]).toMatch(/LLM_PRICE_PER_MTOK must be "<input>,<output>".*not "2"/);
    expect(prices.cost('openai', 'in-house-model', million)).toBeUndefined();
    for (const bad of ['', '1,', 'a,b', '-1,2', '1,2,3']) expect(parsePerMTok(bad), bad).toBeUndefined();
    expect(parsePerMTok('0.15,0.6')).toEqual({ input: 0.15, output: 0.6 });
  });
});
