// Ownership: hands every capture of the sites query that is not a function to the innermost
// function holding it, and records it in that function's site detail (params, returns,
// suspensions, prologue, probes, deep captures). One sweep in source order; part of sites.ts's
// analysis, so it never edits text and keeps no node past the call.
import type { Node } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import type { DeepCapture } from './deep.js';
import type { Scope, SiteDetail } from './sites.js';
import type { Span } from './types.js';

const span = (n: Node): Span => ({ start: n.startIndex, end: n.endIndex });

/** A capture that belongs to whichever function holds it; `deep` for deep.ts's captures. */
export interface Owned {
  name: string;
  node: Node;
  deep?: DeepCapture;
}

/** Records each of `owned` on the innermost instrumentable function of `scopes` (in start order) holding it. */
export function assignOwned(owned: Owned[], scopes: Scope[], fences: readonly string[], splits: LanguageSpec['splitReturns'] = {}): void {
  const unused = new Set<number>();
  // Wider items first at one offset: a block starting where the function it holds starts must not
  // take the function off the stack before the function's own items come.
  owned.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
  const stack: Scope[] = [];
  let next = 0;
  for (const { name, node, deep } of owned) {
    // Sweep: scopes and items both in start order; the stack holds the chain enclosing `node`.
    while (next < scopes.length && opensBefore(scopes[next].node, node)) {
      const s = scopes[next++];
      while (stack.length && !contains(stack.at(-1)!.node, s.node)) stack.pop();
      stack.push(s);
    }
    while (stack.length && !contains(stack.at(-1)!.node, node)) stack.pop();
    const owner = stack.at(-1);
    const site = owner?.site;
    if (!site || !owner.instrumentable) continue;
    const d = site.detail;
    switch (name) {
      case 'param': if (!fenced(node, owner.node, fences)) site.params.push(node.text); break;
      case 'return.value': if (node.type !== 'comment') d.returns.push(...returnValues(node, splits)); break;
      case 'yield': site.isGenerator = true; d.suspensions.push(suspension('yield', node)); break;
      // Captured with `@yield` of the same node, which may come first or second at one offset.
      case 'yield.unused': unused.add(node.startIndex); break;
      case 'return.type': d.returnTyped = true; break;
      case 'await':
        // `await get<T>(x)` parses (TS grammar) as a call of `await get`: a wrap would split it.
        if (!isCallee(node)) d.suspensions.push(suspension('await', node));
        break;
      case 'prologue':
        if (isBodyStatement(node, owner.body!) && node.startIndex >= d.prologueEnd && isLeading(node)) {
          d.prologueEnd = node.endIndex;
        }
        break;
      case 'probe.entry':
        if (isBodyStatement(node, owner.body!) && !d.entry) {
          d.entry = span(node);
          owner.entry = node;
        }
        break;
      case 'probe.call': d.calls.push(span(node)); break;
      case 'super': site.skip ??= 'super'; break;
      case 'deep': (owner.deep ??= []).push(deep!);
    }
  }
  if (!unused.size) return;
  for (const scope of scopes) {
    for (const s of scope.site?.detail.suspensions ?? []) if (s.kind === 'yield' && unused.has(s.node.start)) s.unused = true;
  }
}

/** A node of one of the `fences` types lies between `node` and its function `owner`. */
function fenced(node: Node, owner: Node, fences: readonly string[]): boolean {
  if (!fences.length) return false;
  for (let n = node.parent; n && n.id !== owner.id; n = n.parent) if (fences.includes(n.type)) return true;
  return false;
}

/** A returned value, or the values its parts return (each branch of a conditional) where the language splits it. */
function returnValues(node: Node, splits: LanguageSpec['splitReturns'] = {}): Span[] {
  const fields = splits[node.type];
  if (!fields) return [span(node)];
  const parts = fields.map((f) => node.childForFieldName(f));
  if (parts.some((p) => !p)) return [span(node)];
  return parts.flatMap((p) => returnValues(p!, splits));
}

function isCallee(node: Node): boolean {
  const parent = node.parent;
  return parent?.type === 'call_expression' && parent.childForFieldName('function')?.id === node.id;
}

/** `scope` starts before `node`, or at the same offset and holds it. */
function opensBefore(scope: Node, node: Node): boolean {
  return scope.startIndex < node.startIndex || (scope.startIndex === node.startIndex && scope.endIndex >= node.endIndex);
}

/** A direct statement of `body` (Go wraps statements in a statement_list). */
function isBodyStatement(node: Node, body: Node): boolean {
  const parent = node.parent;
  if (!parent) return false;
  return parent.id === body.id || (parent.parent?.id === body.id && parent.type.endsWith('_list'));
}

/** True when every earlier named sibling is also a prologue statement (or a comment). */
function isLeading(node: Node): boolean {
  for (let prev = node.previousNamedSibling; prev; prev = prev.previousNamedSibling) {
    if (prev.type === 'comment') continue;
    const literal = prev.namedChild(0)?.type;
    if (prev.type !== 'expression_statement' || (literal !== 'string' && literal !== 'concatenated_string')) return false;
  }
  return true;
}

function suspension(kind: 'yield' | 'await', node: Node): SiteDetail['suspensions'][number] {
  const operand = node.namedChildren.filter((c) => c?.type !== 'comment').at(-1) ?? undefined;
  const kids = node.children.filter((c): c is Node => !!c);
  const keywords = kids.filter((c) => !c.isNamed);
  const keywordEnd = keywords.length ? keywords.at(-1)!.endIndex : node.startIndex;
  const delegates = keywords.length > 1 || undefined;
  return { kind, node: span(node), operand: operand && operand.startIndex >= keywordEnd ? span(operand) : undefined, keywordEnd, delegates };
}

/** `inner` lies within `outer`. */
export function contains(outer: Node, inner: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}
