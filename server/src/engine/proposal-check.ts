// The proposal check: whether a model's answer for one function may become its plan. A proposal is
// the whole function, instrumented; it becomes a plan only if, in the file,
//   1. it parses with no new errors;
//   2. strip gives back the original function byte for byte (so every addition is a probe strip knows);
//   3. everything strip removes is probe statements calling only the runtime's API (probe-tokens.ts);
//   4. the function then carries its entry probe.
// The plan is what strip removes, as insertions into the original. Errors are short sentences with
// lines relative to the function, fed back to the model. Compile checks are the caller's (processes).
// Must never accept a proposal that deletes or changes a character of the original.
import type { Tree } from 'web-tree-sitter';
import { probeVocabularyOf } from '../languages/probe-vocabulary.js';
import type { LanguageSpec } from '../languages/spec.js';
import { countErrors } from './errors.js';
import type { Insertion, Plan } from './plan.js';
import { probeTokenErrors } from './probe-tokens.js';
import { applyChanges } from './render.js';
import type { Analysis } from './sites.js';
import { stripChanges } from './strip.js';
import type { ValidationHost } from './validate.js';

export type ProposalCheck =
  | { ok: true; plan: Plan; validations: string[]; /** The whole file with the proposal in place. */ text: string }
  | { ok: false; errors: string[] };

export const PROPOSAL_VALIDATIONS = ['reparse', 'strip-roundtrip', 'probe-calls'] as const;

const NAME = /[\p{L}_$][\p{L}\p{N}_$]*/gu;

export function checkProposal(
  spec: LanguageSpec,
  host: ValidationHost,
  tree: Tree,
  analysis: Analysis,
  text: string,
  offset: number,
  answer: string,
): ProposalCheck {
  const site = analysis.functions.find((f) => f.nameRange.start === offset);
  if (!site) return fail('there is no function there any more');
  const api = probeVocabularyOf(spec);
  if (!api) return fail(`the ${spec.id} runtime has no probe-vocabulary.json`);
  const { start, end } = proposalSpan(text, site.range);
  const original = text.slice(start, end);
  const code = normalize(answer, original);
  if (code === original) return fail('the proposal adds nothing');
  const next = text.slice(0, start) + code + text.slice(end);
  const lineOf = (at: number) => 1 + countBreaks(next.slice(start, Math.max(start, at)));
  const t2 = host.parse(next);
  try {
    const before = countErrors(tree.rootNode);
    if (countErrors(t2.rootNode) > before) return fail(...syntaxErrors(t2, next, start, start + code.length, lineOf));
    const after = host.analyze(t2, next);
    const fn = after.functions.find((f) => f.range.start === start);
    if (!fn) return fail('the proposal is not one whole function starting where the original starts');
    if (!fn.instrumented) return fail(`the function has no entry probe in the runtime's form (${api.module}.… with ${api.span})`);
    const inside = (s: { range: { start: number; end: number } }) => start <= s.range.start && s.range.end <= start + code.length;
    const stripped = stripChanges(spec, t2, after, next, inside);
    if (stripped.failed.length) return fail(`probes not in the runtime's exact form in: ${stripped.failed.join(', ')}`);
    // Handler lines strip removes with the line break after them, which is the original's.
    const changes = stripped.changes.filter((c) => c.start >= start && c.start <= start + code.length && c.end <= start + code.length + 2);
    const restored = applyChanges(next, changes);
    if (restored !== text) return fail(difference(text.slice(start, end), restored.slice(start, restored.length - (text.length - end))));
    const scope = new Set(original.match(NAME) ?? []);
    const tokenErrors = probeTokenErrors(api, t2, next, changes, scope, lineOf);
    if (tokenErrors.length) return fail(...tokenErrors);
    return { ok: true, plan: planOf(changes, next, start, JSON.stringify(site.name)), validations: [...PROPOSAL_VALIDATIONS], text: next };
  } finally {
    t2.delete();
  }
}

/**
 * The text a proposal replaces: the function, and the rest of its last line when that is only
 * spaces (`def f(): return x; ` gets its handler lines after them, which only a proposal holding
 * them can place).
 */
export function proposalSpan(text: string, range: { start: number; end: number }): { start: number; end: number } {
  let end = range.end;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return { start: range.start, end: end === text.length || text[end] === '\n' || text[end] === '\r' ? end : range.end };
}

function fail(...errors: string[]): ProposalCheck {
  return { ok: false, errors };
}

/**
 * The answer as the function's text: the first line without leading indentation (the original's
 * starts at its keyword), no trailing space the original lacks, and the original's line breaks.
 */
function normalize(answer: string, original: string): string {
  let code = answer.replace(/^[ \t]*(\r\n|\r|\n)*[ \t]*/, '');
  if (!/\s$/.test(original)) code = code.replace(/\s+$/, '');
  if (original.includes('\r\n') && !code.includes('\r')) code = code.replace(/\n/g, '\r\n');
  return code;
}

/** What strip removed, as insertions into the original function. */
function planOf(changes: readonly { start: number; end: number }[], next: string, start: number, quotedName: string): Plan {
  let removed = 0;
  const insertions: Insertion[] = [];
  for (const c of changes) {
    const body = next.slice(c.start, c.end);
    insertions.push({ at: c.start - removed - start, text: body, rank: 0, kind: body.includes(quotedName) ? 'entry' : 'exit' });
    removed += c.end - c.start;
  }
  return { start, insertions };
}

function syntaxErrors(tree: Tree, text: string, from: number, to: number, lineOf: (at: number) => number): string[] {
  const out: string[] = [];
  const visit = (node: Tree['rootNode']) => {
    if (out.length >= 3) return;
    if (node.isError || node.isMissing) {
      const what = node.isMissing ? `missing \`${node.type}\`` : `unexpected \`${text.slice(node.startIndex, Math.min(node.endIndex, node.startIndex + 40)).replace(/\s+/g, ' ')}\``;
      if (node.startIndex >= from && node.startIndex <= to) out.push(`line ${lineOf(node.startIndex)}: syntax error, ${what}`);
      return;
    }
    if (node.hasError) for (const c of node.children) if (c) visit(c);
  };
  visit(tree.rootNode);
  return out.length ? out : ['the instrumented file does not parse'];
}

function difference(expected: string, got: string): string {
  const a = expected.split(/\r\n|\r|\n/);
  const b = got.split(/\r\n|\r|\n/);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const want = a[i] === undefined ? 'nothing' : `\`${a[i].trim()}\``;
      const have = b[i] === undefined ? 'nothing' : `\`${b[i].trim()}\``;
      return `without its probes the function differs from the original at line ${i + 1}: the original has ${want}, the proposal ${have} (change no original character; add only probes)`;
    }
  }
  return 'without its probes the function differs from the original in its whitespace (keep every original character)';
}

function countBreaks(s: string): number {
  return (s.match(/\r\n|\r|\n/g) ?? []).length;
}
