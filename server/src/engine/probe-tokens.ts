// The probe-call check of a proposal: every token a proposal inserted (what strip removes from it)
// may only call the runtime's API, with arguments that are names of the original function,
// literals, or the runtime's own handles. No other call, attribute, subscript, assignment to a user
// name, lambda, import or comment. Reads tokens from the tree; the allowed names are the language
// folder's probe-vocabulary.json (server/src/languages/probe-vocabulary.ts).
// Must never accept a token it cannot classify: unknown means rejected.
import type { Node, Tree } from 'web-tree-sitter';
import type { ProbeVocabulary } from '../languages/probe-vocabulary.js';
import type { Span } from './types.js';

const WORD = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;
const NUMBER = /^(0[xXbBoO])?[\d_.]+([eE][+-]?\d+)?[jJlLnuU]*$/;
/** Operators that change what they follow. */
const ASSIGN = /^(=|:=|\+=|-=|\*=|\/=|%=|\+\+|--|<<=|>>=|&=|\|=|\^=|\*\*=|\?\?=|&&=|\|\|=)$/;
/** Code inside a literal: interpolation (f-strings, template literals). */
const HOLE = /interpolation|substitution|template_string/;

interface Token {
  text: string;
  /** `keyword`: a word the grammar reads as syntax (an anonymous node), not a name. */
  kind: 'word' | 'keyword' | 'literal' | 'punct';
  at: number;
  /** An opening bracket that groups (a parenthesized expression), rather than calls or indexes. */
  grouping?: boolean;
}

/** Why the inserted text is not made of probe statements only; empty when it is. */
export function probeTokenErrors(api: ProbeVocabulary, tree: Tree, text: string, spans: readonly Span[], scope: ReadonlySet<string>, lineOf: (at: number) => number): string[] {
  const errors: string[] = [];
  for (const span of spans) {
    const tokens: Token[] = [];
    const bad = collect(tree.rootNode, span, tokens, api.comments);
    if (bad) {
      errors.push(`line ${lineOf(bad.at)}: inserted text \`${clip(text.slice(bad.at, bad.end))}\` ${bad.why}`);
      continue;
    }
    const why = judge(api, collapse(tokens, api.module), scope);
    if (why) errors.push(`line ${lineOf(why.at)}: ${why.message}`);
  }
  return errors;
}

/** The tokens of `node` inside `span`, in order; a reason when one straddles the span's edge or is not code. */
function collect(node: Node, span: Span, out: Token[], comments: readonly string[]): { at: number; end: number; why: string } | undefined {
  if (node.endIndex <= span.start || node.startIndex >= span.end || node.startIndex === node.endIndex) return undefined;
  const inside = span.start <= node.startIndex && node.endIndex <= span.end;
  const type = node.type;
  if (inside && /comment/.test(type)) return comments.includes(node.text.trimEnd()) ? undefined : { at: node.startIndex, end: node.endIndex, why: 'is a comment' };
  if (inside && /string|char|rune/.test(type) && node.namedChildCount >= 0) {
    if (HOLE.test(type) || hasHole(node)) return { at: node.startIndex, end: node.endIndex, why: 'holds code inside a string' };
    out.push({ text: node.text, kind: 'literal', at: node.startIndex });
    return undefined;
  }
  if (node.childCount === 0) {
    if (!inside) return { at: node.startIndex, end: node.endIndex, why: 'is glued onto the original code' };
    const t = node.text;
    const kind = NUMBER.test(t) ? 'literal' : !WORD.test(t) ? 'punct' : node.isNamed ? 'word' : 'keyword';
    const grouping = t === '(' && node.parent?.type === 'parenthesized_expression';
    out.push({ text: t, kind, at: node.startIndex, ...(grouping && { grouping }) });
    return undefined;
  }
  for (const child of node.children) {
    if (!child) continue;
    const bad = collect(child, span, out, comments);
    if (bad) return bad;
  }
  return undefined;
}

function hasHole(node: Node): boolean {
  for (const c of node.children) if (c && (HOLE.test(c.type) || hasHole(c))) return true;
  return false;
}

/** The module's path (`_tm.Telemetry`, `crate::telemetry_runtime`) as one word token. */
function collapse(tokens: Token[], module: string): Token[] {
  const parts = module.split(/(\.|::)/);
  if (parts.length === 1) return tokens;
  const out: Token[] = [];
  for (let i = 0; i < tokens.length; i++) {
    if (parts.every((p, k) => tokens[i + k]?.text === p)) {
      out.push({ text: module, kind: 'word', at: tokens[i].at });
      i += parts.length - 1;
    } else out.push(tokens[i]);
  }
  return out;
}

const MEMBER = new Set(['.', '::']);

function judge(api: ProbeVocabulary, tokens: Token[], scope: ReadonlySet<string>): { at: number; message: string } | undefined {
  const handle = new RegExp(`^${api.handlePrefix}\\d+$`);
  const owned = (w: string) => w === api.span || api.reserved.includes(w) || handle.test(w);
  const keywords = new Set(api.keywords);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    const prev = tokens[i - 1];
    const next = tokens[i + 1];
    if (t.kind === 'literal') continue;
    if (t.kind === 'keyword' && !MEMBER.has(prev?.text ?? '')) {
      if (!keywords.has(t.text)) return { at: t.at, message: `\`${t.text}\` is not allowed in a probe` };
      continue;
    }
    if (t.kind === 'word' || t.kind === 'keyword') {
      const member = MEMBER.has(prev?.text ?? '') ? tokens[i - 2] : undefined;
      if (member) {
        const of = member.text === api.module ? api.members : owned(member.text) && member.text !== api.span ? api.handleMembers : [];
        if (!of.includes(t.text)) return { at: t.at, message: `\`${member.text}.${t.text}\` is not part of the runtime's API` };
        continue;
      }
      if (t.text === api.module) {
        if (!MEMBER.has(next?.text ?? '')) return { at: t.at, message: `\`${api.module}\` is used other than to call the runtime` };
        continue;
      }
      if (keywords.has(t.text)) continue;
      if (owned(t.text)) continue;
      if (next?.text === '(' || next?.text === '[') return { at: t.at, message: `\`${t.text}${next.text}\` calls or indexes something other than the runtime` };
      if (!scope.has(t.text)) return { at: t.at, message: `\`${t.text}\` is not a name of the function, a literal or the runtime's` };
      continue;
    }
    // Punctuation.
    if (MEMBER.has(t.text)) {
      const on = prev?.kind === 'word' ? prev.text : '';
      if (on !== api.module && !(owned(on) && on !== api.span)) return { at: t.at, message: `\`${on}.\` reaches into something other than the runtime` };
      continue;
    }
    // A grouping bracket around an assignment to a probe's own name (Python's `return (__r := (VALUE))`)
    // applies nothing, wherever it starts; any other bracket at the start might call original code.
    const ownAssignment = t.grouping === true && owned(next?.text ?? '') && ASSIGN.test(tokens[i + 2]?.text ?? '');
    if ((t.text === '(' || t.text === '[') && !ownAssignment && (!prev || prev.kind === 'literal' || prev.text === ')' || prev.text === ']')) {
      return { at: t.at, message: `\`${t.text}\` applies inserted text to the original code` };
    }
    if (t.text === '=>' || t.text === '`') return { at: t.at, message: `\`${t.text}\` is not allowed in a probe` };
    if (ASSIGN.test(t.text)) {
      const target = prev?.text ?? '';
      const handleField = MEMBER.has(tokens[i - 2]?.text ?? '') && owned(tokens[i - 3]?.text ?? '') && api.handleMembers.includes(target);
      if (!owned(target) && !handleField) return { at: t.at, message: `\`${target} ${t.text}\` assigns to something probes do not own` };
    }
  }
  return undefined;
}

function clip(s: string): string {
  const one = s.replace(/\s+/g, ' ').trim();
  return one.length > 60 ? `${one.slice(0, 57)}...` : one;
}
