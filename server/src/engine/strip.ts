// Strip: computes the deletions that undo instrumentation, from the instrumented text alone.
// Every deletion is checked against the exact text the templates insert; a function whose probes
// were edited by hand is reported and left alone rather than guessed at.
import type { Node, Tree } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import { breakBefore, lineEnd, lineStart, nextLineStart } from './lines.js';
import { importDeletion } from './runtime-import.js';
import type { Analysis, Site } from './sites.js';
import { insideAny } from './spans.js';
import type { Span, TextChange } from './types.js';

export interface StripResult {
  changes: TextChange[];
  removed: string[];
  /** Functions whose probes no longer match the templates. */
  failed: string[];
}

export function stripChanges(
  spec: LanguageSpec,
  tree: Tree,
  analysis: Analysis,
  text: string,
  select: (f: Site) => boolean,
): StripResult {
  const deletions: Span[] = [];
  // Nested wrapped bodies each indented the same lines: widths add up per line start.
  const dedents = new Map<number, number>();
  const removed: string[] = [];
  const failed: string[] = [];
  const instrumented = analysis.functions.filter((f) => f.instrumented);
  for (const site of instrumented.filter(select)) {
    const own = siteDeletions(spec, tree, analysis, text, site);
    if (own) {
      for (const d of own) {
        if (d.dedent) dedents.set(d.start, (dedents.get(d.start) ?? 0) + d.end - d.start);
        else deletions.push(d);
      }
      removed.push(site.name);
    } else failed.push(site.name);
  }
  if (analysis.importNode && removed.length === instrumented.length) {
    const imp = importDeletion(analysis, text);
    if (imp) deletions.push(imp);
  }
  for (const [at, width] of dedents) deletions.push({ start: at, end: at + width });
  return { changes: union(deletions), removed, failed };
}

/** A span to delete; `dedent` marks one unit of indentation at a line start. */
interface Deletion extends Span {
  dedent?: boolean;
}

function siteDeletions(spec: LanguageSpec, tree: Tree, analysis: Analysis, text: string, site: Site): Deletion[] | undefined {
  const entrySpan = site.detail.entry!;
  const entry = tree.rootNode.descendantForIndex(entrySpan.start, entrySpan.end - 1);
  if (!entry) return undefined;
  const node = outermostAt(entry, entrySpan);
  const out = spec.style === 'indent' ? indentDeletions(spec, node, text, analysis.strings)
    : spec.style === 'brace' ? braceDeletions(spec, node, site, text)
    : deferDeletions(node, site, text);
  if (!out) return undefined;
  let claimed = -1; // end of the last separator taken: two joined probes must not take the same one
  for (const probe of [...site.detail.probes].sort((a, b) => a.start - b.start)) {
    const d = probeDeletion(spec, probe, text, claimed);
    if (!d) return undefined;
    claimed = d.end;
    out.push(d);
  }
  for (const call of site.detail.calls) {
    if (site.detail.probes.some((p) => p.start <= call.start && call.end <= p.end)) continue;
    const wrapped = wrapDeletions(spec, call, text);
    if (wrapped) out.push(...wrapped);
  }
  return out;
}

/** The largest node spanning exactly `span` (descendantForIndex returns the innermost). */
function outermostAt(node: Node, span: Span): Node {
  let n = node;
  while (n.parent && n.parent.startIndex === span.start && n.parent.endIndex === span.end) n = n.parent;
  while (n.endIndex < span.end && n.parent) n = n.parent;
  return n;
}

function indentDeletions(spec: LanguageSpec, entry: Node, text: string, strings: Span[]): Deletion[] | undefined {
  const tryNode = entry.nextNamedSibling;
  if (tryNode?.type !== 'try_statement') return undefined;
  const body = tryNode.childForFieldName('body');
  const clauses = tryNode.namedChildren.filter((c): c is Node => !!c && c.type !== 'block' && c.type !== 'comment');
  if (!spec.templates) return undefined;
  const closes = [spec.templates.close, ...(spec.templates.legacyClose ?? [])];
  if (!body || clauses.length !== 2 || !closes.some(([except, fin]) => clauses[0].text === except && clauses[1].text === fin)) return undefined;
  const stmts = body.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment');
  const first = stmts[0];
  const last = stmts.at(-1);
  if (!first || !last) return undefined;
  // The handler lines as the planner wrote them: followed by a line break, or at the end of the file.
  const exceptLine = lineStart(text, clauses[0].startIndex);
  const finEnd = clauses[1].endIndex;
  const atEof = lineEnd(text, finEnd) === text.length;
  const out: Deletion[] = [atEof ? { start: exceptLine - breakBefore(text, exceptLine), end: finEnd } : { start: exceptLine, end: nextLineStart(text, finEnd) }];
  const entryLine = lineStart(text, entry.startIndex);
  if (text.startsWith(spec.templates?.openJoined ?? '\0', tryNode.startIndex)) {
    out.push({ start: entryLine - breakBefore(text, entryLine), end: first.startIndex });
    return out;
  }
  const from = lineStart(text, first.startIndex);
  out.push({ start: entryLine, end: from });
  const tryIndent = text.slice(lineStart(text, tryNode.startIndex), tryNode.startIndex);
  const unit = text.slice(from + tryIndent.length, first.startIndex);
  if (!text.slice(from, first.startIndex).startsWith(tryIndent) || unit.trim() !== '' || unit === '') return undefined;
  const to = lineEnd(text, last.endIndex);
  const inString = insideAny(strings);
  for (let q = from; q < to; q = nextLineStart(text, q)) {
    const empty = text[q] === '\n' || text[q] === '\r';
    if (!empty && !inString(q)) {
      if (!text.startsWith(unit, q)) return undefined;
      out.push({ start: q, end: q + unit.length, dedent: true });
    }
    if (nextLineStart(text, q) === q) break;
  }
  return out;
}

function braceDeletions(spec: LanguageSpec, entry: Node, site: Site, text: string): Span[] | undefined {
  const tryNode = entry.nextNamedSibling;
  const body = tryNode?.childForFieldName('body');
  if (tryNode?.type !== 'try_statement' || !body) return undefined;
  const closeText = text.slice(body.endIndex - 1, tryNode.endIndex);
  const anchor = site.detail.prologueEnd;
  const funcClose = site.body.end - 1;
  // Languages without templates close with the text their runtime API asks the model to write.
  const close = spec.templates?.close[0] ?? spec.probeForms?.close;
  if (closeText !== close || text.slice(anchor, entry.startIndex).trim() !== '') return undefined;
  if (text.slice(tryNode.endIndex, funcClose).trim() !== '') return undefined;
  return [
    { start: anchor, end: body.startIndex + 1 },
    { start: body.endIndex - 1, end: funcClose },
  ];
}

function deferDeletions(entry: Node, site: Site, text: string): Span[] | undefined {
  const anchor = site.body.start + 1;
  if (text.slice(anchor, entry.startIndex).trim() !== '') return undefined;
  const end = text[entry.endIndex] === ';' ? entry.endIndex + 1 : entry.endIndex;
  return [{ start: anchor, end }];
}

/**
 * A deep probe statement: its whole line when it stands alone there, else the statement and the
 * separator that joined it to its neighbour (see the placements in deep.ts).
 */
function probeDeletion(spec: LanguageSpec, probe: Span, text: string, claimed: number): Span | undefined {
  const ls = lineStart(text, probe.start);
  if (text.slice(ls, probe.start).trim() === '' && lineEnd(text, probe.end) === probe.end) {
    return { start: ls, end: nextLineStart(text, probe.end) };
  }
  const sep = spec.deep!.sep;
  const before = probe.start - sep.length;
  if (before >= claimed && text.slice(before, probe.start) === sep) return { start: before, end: probe.end };
  if (text.slice(probe.end, probe.end + sep.length) === sep) return { start: probe.start, end: probe.end + sep.length };
  return undefined;
}

function wrapDeletions(spec: LanguageSpec, call: Span, text: string): Span[] | undefined {
  const body = text.slice(call.start, call.end);
  for (const [pre, suf] of wrapsOf(spec)) {
    if (pre && body.startsWith(pre) && body.endsWith(suf) && body.length >= pre.length + suf.length) {
      return [
        { start: call.start, end: call.start + pre.length },
        { start: call.end - suf.length, end: call.end },
      ];
    }
  }
  const bare = spec.templates?.bareSuspend;
  if (bare && body === bare.trimStart() && text.slice(call.start - (bare.length - body.length), call.start) === bare.slice(0, bare.length - body.length)) {
    return [{ start: call.start - (bare.length - body.length), end: call.end }];
  }
  return undefined;
}

/**
 * Every wrap the language has inserted, longest first: one form may begin and end like another
 * (`_tm.resume(__tel, void (` and `_tm.resume(__tel, `), and the longer one is what was inserted.
 */
function wrapsOf(spec: LanguageSpec): (readonly [string, string])[] {
  const t = spec.templates;
  const by = t?.retBy ?? {};
  const all = t ? [t.ret, by.typed, by.typedAwaited, t.resume, t.resumeUnused, t.suspend, ...(t.legacy ?? [])] : [...(spec.probeForms?.wraps ?? [])];
  return all.filter((w): w is readonly [string, string] => !!w).sort((a, b) => b[0].length + b[1].length - a[0].length - a[1].length);
}

/** Sorted union of deletion spans, as changes. */
function union(spans: Span[]): TextChange[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: TextChange[] = [];
  for (const s of sorted) {
    const last = out.at(-1);
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end, text: '' });
  }
  return out;
}
