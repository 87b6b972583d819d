// Deep placements: where a deep probe statement goes in the text (its own line, or joined to a
// statement's line) and its rank among insertions at one offset. deep.ts decides which sites a
// function has; this module only places their probes. Keeps no node past the call.
import type { Node } from 'web-tree-sitter';
import type { Ctx, DeepRole } from './deep.js';
import { lineBreakAfter, lineEnd, lineStart, nextLineStart } from './lines.js';
import { CLOSE_RANK, OPENING_LINE_RANK } from './ranks.js';

/**
 * Where one probe statement goes:
 * - `line`: its own line, inserted at `at`, a line start (Python also adds its body's unit);
 * - `line-after`: its own line, inserted at `at`, the end of the anchor's line (brace languages);
 * - `inline-before` / `inline-after`: on the anchor's line, joined by the language's separator.
 */
export interface Placement {
  form: 'line' | 'line-after' | 'inline-before' | 'inline-after';
  at: number;
  indent: string;
  nl: string;
  /** Orders probes at one offset: wider constructs open first and close last. */
  rank: number;
}

/** Order of the roles' probes at one place. */
export const SLOT: Record<DeepRole, number> = { branch: 0, exception: 1, tick: 2, variable: 3, loop: 4, done: 0 };
const JOINED_AFTER_RANK = -1e8;

/** Statements of a container, after its opening token (`{`, `:`), comments left out. */
function statementsOf(ctx: Ctx, container: Node): Node[] {
  const open = ctx.deep.containers[container.type];
  if (open === undefined) return [];
  const kids = container.children.filter((c): c is Node => !!c);
  const from = open ? kids.findIndex((k) => k.type === open) + 1 : 0;
  if (open && from === 0) return [];
  return kids.slice(from).filter((k) => k.isNamed && k.type !== 'comment' && !k.isExtra);
}

/** Where a probe opening `block` goes, and the roles of the probes already leading it. */
export function atStart(ctx: Ctx, block: Node, role: DeepRole): { place: Placement; first: Node; leading: DeepRole[] } | undefined {
  const stmts = statementsOf(ctx, block);
  const leading: DeepRole[] = [];
  let i = 0;
  for (; i < stmts.length && ctx.probeRole.has(stmts[i].id); i++) leading.push(ctx.probeRole.get(stmts[i].id)!);
  const first = stmts[0];
  if (!first) return undefined;
  const place = placeBefore(ctx, first);
  return { place: { ...place, rank: openingRank(place.form, widthOf(ctx, block), SLOT[role]) }, first, leading };
}

/** Where a probe right before `stmt` goes (a loop's handle). */
export function before(ctx: Ctx, stmt: Node, slot: number): Placement {
  const place = placeBefore(ctx, stmt);
  return { ...place, rank: openingRank(place.form, widthOf(ctx, stmt), slot) };
}

/**
 * A probe line opening a construct comes after everything closing at that line start (ranks.ts);
 * a joined one comes before the wraps of the statement it precedes. Wider constructs open first.
 */
function openingRank(form: Placement['form'], w: number, slot: number): number {
  return (form === 'line' ? OPENING_LINE_RANK : 0) - w * 8 + slot;
}

function placeBefore(ctx: Ctx, stmt: Node): Omit<Placement, 'rank'> {
  const { text } = ctx;
  const ls = lineStart(text, stmt.startIndex);
  const nl = lineBreakAfter(text, stmt.startIndex);
  if (startsLine(text, stmt.startIndex)) {
    const top = lineStart(text, aboveDirectives(ctx, stmt).startIndex);
    return { form: 'line', at: top, indent: text.slice(ls, stmt.startIndex), nl };
  }
  return { form: 'inline-before', at: stmt.startIndex, indent: '', nl };
}

/**
 * The first of the comment lines right above `stmt` when one of them governs the next line of
 * code (`// @ts-expect-error`): a probe line between would take the directive for itself.
 */
function aboveDirectives(ctx: Ctx, stmt: Node): Node {
  const directive = ctx.deep.nextLineDirective;
  if (!directive) return stmt;
  let top = stmt;
  let governs = false;
  for (let c = stmt.previousNamedSibling; c?.type === 'comment'; c = c.previousNamedSibling) {
    if (c.endPosition.row !== top.startPosition.row - 1 || !startsLine(ctx.text, c.startIndex)) break;
    top = c;
    governs ||= directive.test(c.text);
  }
  return governs ? top : stmt;
}

/**
 * After a statement: on its own line when nothing but a line comment follows on the statement's
 * last line (compound statements in `indent` languages always), otherwise joined on that line.
 */
export function after(ctx: Ctx, stmt: Node, slot: number, compound: boolean): Placement | undefined {
  const { text, deep } = ctx;
  const rank = widthOf(ctx, stmt) * 8 + slot;
  const end = stmt.endIndex;
  const ls = lineStart(text, stmt.startIndex);
  const indent = /^[ \t]*/.exec(text.slice(ls, stmt.startIndex))![0];
  const nl = lineBreakAfter(text, end);
  if (deep.afterCompound === 'next-line' && compound) {
    const at = nextLineStart(text, end);
    if (at === lineEnd(text, end) || !startsLine(text, stmt.startIndex)) return undefined; // no line to open at the end of the file
    return { form: 'line', at, indent, nl, rank: CLOSE_RANK + widthOf(ctx, stmt) + slot / 16 };
  }
  // A statement closed by `;` or `}` has no wrap closing at its end, but the next statement may
  // start right there (minified JS): its probe must come after this one's.
  const joined = /[;}]$/.test(text.slice(stmt.startIndex, end)) ? JOINED_AFTER_RANK + rank : rank;
  if (deep.afterCompound === 'next-line') return { form: 'inline-after', at: end, indent: '', nl, rank: joined };
  const rest = text.slice(end, lineEnd(text, end));
  if (rest.trim() === '' || rest.trimStart().startsWith(ctx.spec.lineComment)) {
    return { form: 'line-after', at: lineEnd(text, end), indent, nl, rank };
  }
  if (deep.inlineAfterNeedsTerminator && !text.slice(stmt.startIndex, end).endsWith(deep.inlineAfterNeedsTerminator)) return undefined;
  return { form: 'inline-after', at: end, indent: '', nl, rank: joined };
}

function startsLine(text: string, at: number): boolean {
  return text.slice(lineStart(text, at), at).trim() === '';
}

function widthOf(ctx: Ctx, n: Node): number {
  return ctx.unranked ? 0 : width(ctx.text, n);
}

/** Non-blank characters of `n` (its ends read once: each node getter is a call into WASM). */
function width(text: string, n: Node): number {
  let w = 0;
  for (let i = n.startIndex, end = n.endIndex; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) w++;
  }
  return w;
}
