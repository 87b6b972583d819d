// Self-healing proposals for one function: up to 3 attempts. Each retry shows the model its last
// proposal and only the errors not reported before; a proposal identical to an earlier one is never
// checked or fed back as new; the last attempt may go to the strong model. A failure followed by an
// accepted fix becomes a lesson (lessons.ts).
// Must never accept what `check` rejected, and never retry past the attempts or after an abort.
import type { LlmAnswer, LlmClient, LlmRequest } from '../types.js';
import { ANSWER_SCHEMA, readAnswer } from './answer.js';
import { remask, unmask, type Masked } from './mask.js';
import { repairPrompt } from './prompt.js';

export const MAX_ATTEMPTS = 3;

export type Verdict<P> = { ok: true; plan: P; validations: string[] } | { ok: false; errors: string[] };

export interface HealInput<P> {
  system: string;
  /** The plan prompt (holding the masked function). */
  prompt: string;
  masked: Masked;
  /** Judges an unmasked proposal. */
  check(code: string): Promise<Verdict<P>>;
  maxTokens: number;
  /** Send the last attempt to the strong model. */
  strongLast?: boolean;
  functionId?: string;
  file?: string;
  attempts?: number;
}

export interface Spent {
  attempts: number;
  calls: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  /** The last answer's model and endpoint. */
  model?: string;
  endpoint?: string;
}

export type HealOutcome<P> =
  | ({ ok: true; plan: P; validations: string[]; code: string; lesson?: { errors: string[]; failed: string } } & Spent)
  | ({ ok: false; errors: string[] } & Spent);

export async function heal<P>(client: LlmClient, input: HealInput<P>, signal?: AbortSignal): Promise<HealOutcome<P>> {
  const max = input.attempts ?? MAX_ATTEMPTS;
  const spent: Spent = { attempts: 0, calls: 0, inputTokens: 0, outputTokens: 0, costUsd: 0 };
  const seen = new Map<string, string[]>();
  const reported = new Set<string>();
  let prompt = input.prompt;
  let lastErrors: string[] = ['no answer'];
  let lastFailed: { code: string; errors: string[] } | undefined;
  for (let attempt = 1; attempt <= max; attempt++) {
    if (signal?.aborted) break;
    const request: LlmRequest = {
      purpose: attempt === 1 ? 'plan' : 'repair',
      system: input.system,
      prompt,
      schema: { name: ANSWER_SCHEMA.name, schema: ANSWER_SCHEMA.schema as unknown as Record<string, unknown> },
      maxTokens: input.maxTokens,
      ...(input.strongLast && attempt === max && attempt > 1 && { strong: true }),
      ...(input.functionId && { functionId: input.functionId }),
      ...(input.file && { file: input.file }),
      attempt,
    };
    spent.attempts = attempt;
    let answer: LlmAnswer;
    try {
      answer = await client.complete(request, signal);
    } catch (error) {
      // A call that failed (after the pool's own retries) or was refused by the budget ends the loop.
      return { ok: false, errors: [`the model call failed: ${(error as Error).message}`], ...spent };
    }
    spent.calls++;
    spent.inputTokens += answer.usage.inputTokens;
    spent.outputTokens += answer.usage.outputTokens;
    spent.costUsd += answer.costUsd;
    spent.model = answer.responseModel || answer.requestModel;
    spent.endpoint = answer.endpoint;
    const read = readAnswer(answer.text);
    const shown = 'code' in read ? read.code : answer.text.slice(0, 2000);
    let errors: string[];
    let repeated = false;
    if ('error' in read) errors = [read.error];
    else {
      const code = unmask(read.code, input.masked);
      const before = seen.get(code);
      if (before) {
        repeated = true;
        errors = before;
      } else {
        const verdict = await input.check(code);
        if (verdict.ok) {
          const lesson = lastFailed && { errors: lastFailed.errors, failed: lastFailed.code };
          return { ok: true, plan: verdict.plan, validations: verdict.validations, code, ...(lesson && { lesson }), ...spent };
        }
        errors = verdict.errors;
        seen.set(code, errors);
        lastFailed = { code, errors };
      }
    }
    lastErrors = errors;
    const fresh = errors.filter((e) => !reported.has(e));
    for (const e of errors) reported.add(e);
    // Only what was not reported before; a repeat says so (the request differs from the last).
    // The checks saw the unmasked code, and a compiler may quote it: masked again before it leaves.
    const told = (fresh.length ? fresh : errors.slice(0, 1)).map((e) => remask(e, input.masked));
    prompt = repairPrompt(input.prompt, shown, told, repeated || fresh.length === 0);
  }
  return { ok: false, errors: lastErrors, ...spent };
}
