// The budget reserves each call's worst case before it starts and commits its real usage after, so
// spend never exceeds the budget: a property test over random prices, usages and interleavings.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Budget, inputTokenBound, parseBudget, stopSummary } from '../../server/src/llm/budget.js';
import { Prices } from '../../server/src/llm/prices.js';
import type { Reservation } from '../../server/src/llm/types.js';

const unknownModel = (input: number, output: number) => new Prices({ override: { input, output }, env: {} });

describe('the budget', () => {
  it('never lets spend exceed the budget, whatever the prices, usages and calls in flight', () => {
    const call = fc.record({
      inputTokens: fc.integer({ min: 0, max: 200_000 }),
      maxOutputTokens: fc.integer({ min: 1, max: 32_000 }),
      // The share of the worst case the call really uses, and whether anything was billed.
      inputUse: fc.double({ min: 0, max: 1, noNaN: true }),
      outputUse: fc.double({ min: 0, max: 1, noNaN: true }),
      billed: fc.boolean(),
      // How many later calls start before this one commits.
      overlap: fc.integer({ min: 0, max: 4 }),
      model: fc.constantFrom('gpt-4o-mini', 'gpt-4o', 'in-house-model'),
    });
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 50, noNaN: true }),
        fc.double({ min: 0, max: 100, noNaN: true }),
        fc.double({ min: 0, max: 400, noNaN: true }),
        fc.array(call, { maxLength: 60 }),
        (budgetUsd, inputPrice, outputPrice, calls) => {
          const budget = new Budget(budgetUsd, unknownModel(inputPrice, outputPrice));
          const inFlight: { reservation: Reservation; usage: { inputTokens: number; outputTokens: number } | null; commitAfter: number }[] = [];
          let committed = 0;
          calls.forEach((c, i) => {
            const reserved = budget.reserve({ provider: 'openai', model: c.model, inputTokens: c.inputTokens, maxOutputTokens: c.maxOutputTokens });
            if ('commit' in reserved) {
              const usage = c.billed ? { inputTokens: Math.floor(c.inputTokens * c.inputUse), outputTokens: Math.floor(c.maxOutputTokens * c.outputUse) } : null;
              inFlight.push({ reservation: reserved, usage, commitAfter: i + c.overlap });
            } else {
              expect(reserved.refused).toMatch(/budget|no price/);
            }
            for (const f of inFlight.filter((f) => f.commitAfter <= i)) {
              committed += f.reservation.commit(f.usage);
              inFlight.splice(inFlight.indexOf(f), 1);
            }
            const state = budget.state();
            expect(state.spentUsd + state.heldUsd).toBeLessThanOrEqual(budgetUsd);
          });
          for (const f of inFlight) committed += f.reservation.commit(f.usage);
          expect(budget.state().spentUsd).toBeLessThanOrEqual(budgetUsd);
          expect(committed).toBeLessThanOrEqual(budgetUsd * (1 + 1e-12) + 1e-12);
          expect(budget.state().heldUsd).toBe(0);
        },
      ),
      { numRuns: 300, seed: 20261205 },
    );
  });

  it('refuses a call whose worst case does not fit, and starts it once the calls in flight commit less', () => {
    // $1 and $4 per million tokens: 100k in + 100k out at worst is $0.50.
    const budget = new Budget(1, unknownModel(1, 4));
    const estimate = { provider: 'openai' as const, model: 'm', inputTokens: 100_000, maxOutputTokens: 100_000 };
    const first = budget.reserve(estimate);
    const second = budget.reserve(estimate);
    const third = budget.reserve(estimate);
    expect('commit' in first && 'commit' in second).toBe(true);
    expect(third).toEqual({ refused: expect.stringMatching(/may cost up to \$0\.500.*\$0\.00 spent plus \$1\.00 held leaves \$0\.00 of \$1\.00/) });
    expect((first as Reservation).commit({ inputTokens: 50_000, outputTokens: 10_000 })).toBeCloseTo(0.09, 10);
    expect((first as Reservation).commit({ inputTokens: 50_000, outputTokens: 10_000 })).toBe(0);
    // $0.09 spent and $0.50 held leave $0.41: still not enough for a worst case of $0.50.
    expect('refused' in budget.reserve(estimate)).toBe(true);
    (second as Reservation).commit(null);
    expect('commit' in budget.reserve(estimate)).toBe(true);
    expect(budget.state()).toMatchObject({ calls: 2, refused: 2 });
  });

  it('says so when a call costs more than its reservation, and charges what it cost', () => {
    const warnings: string[] = [];
    const budget = new Budget(1, unknownModel(1, 1), (w) => warnings.push(w));
    const r = budget.reserve({ provider: 'openai', model: 'm', inputTokens: 100, maxOutputTokens: 100 }) as Reservation;
    expect(r.commit({ inputTokens: 1000, outputTokens: 100 })).toBeCloseTo(0.0011, 12);
    expect(budget.state().spentUsd).toBeCloseTo(0.0011, 9);
    expect(warnings[0]).toMatch(/cost \$0\.00110, more than the \$0\.000200 reserved for it \(1000 input tokens against 100 estimated/);
  });

  it('refuses calls to a model with no price at all, since nothing could bound them', () => {
    const budget = new Budget(100, new Prices({ env: {} }));
    const refused = budget.reserve({ provider: 'openai', model: 'in-house-model', inputTokens: 1, maxOutputTokens: 1 });
    expect(refused).toEqual({ refused: expect.stringContaining('LLM_PRICE_PER_MTOK') });
  });

  it('lets local models run on any budget, even $0', () => {
    const budget = new Budget(0, new Prices({ env: {} }));
    const r = budget.reserve({ provider: 'ollama', model: 'qwen2.5-coder:7b', inputTokens: 10_000, maxOutputTokens: 4_000 });
    expect('commit' in r && r.commit({ inputTokens: 9_000, outputTokens: 3_000 })).toBe(0);
  });

  it('bounds input tokens from above by the UTF-8 bytes of the request plus template tokens', () => {
    expect(inputTokenBound('abc', 'é')).toBe(64 + (3 + 64) + (2 + 64));
  });

  it('reads --budget as dollars and rejects what is not an amount', () => {
    expect(parseBudget('5')).toBe(5);
    expect(parseBudget('$0.25')).toBe(0.25);
    for (const bad of ['', 'five', '-1', 'Infinity']) expect(parseBudget(bad), bad).toBeUndefined();
  });

  it('summarises a clean stop: files done of total, spend of budget, and what was left', () => {
    const text = stopSummary({ filesDone: 3, filesTotal: 5, spentUsd: 0.984, budgetUsd: 1, left: ['a.py::f::function_definition', 'b.py::g::function_definition'] });
    expect(text).toBe('3 of 5 files done; spent $0.984 of a $1.00 budget\n2 functions left uninstrumented:\n  a.py::f::function_definition\n  b.py::g::function_definition\n');
  });
});
