// The runtime import: where it goes in a file, the text inserted there, and the span strip
// deletes. The three must agree byte for byte (round trip), so they live together. Decides
// nothing about functions and never keeps tree nodes past the call.
import type { Node } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import { breakBefore, lineBreakAfter, lineEnd, lineStart, nextLineStart } from './lines.js';
import type { Piece } from './render.js';
import type { Analysis } from './sites.js';
import type { EngineOptions, Span } from './types.js';

/**
 * Where the runtime import goes: at the line start of the first statement (above its doc comment)
 * when there is no module prologue; right after the prologue when a statement shares its last line
 * and the language lets the import join there (see `LanguageSpec.importJoinsPrologue`); else on
 * the line after the prologue. importPiece and importDeletion read a place inside a line as the
 * joined form.
 */
export function importOffset(root: Node, prologue: Node[], text: string, spec: LanguageSpec): number {
  const ids = new Set(prologue.map((n) => n.id));
  const statements = root.namedChildren.filter((c): c is Node => !!c && c.type !== 'comment' && c.type !== 'hash_bang_line');
  let last = -1;
  while (last + 1 < statements.length && ids.has(statements[last + 1].id)) last++;
  if (last < 0) return statements[0] ? lineStart(text, documented(statements[0], spec.docComment).startIndex) : text.length;
  const end = statements[last].endIndex;
  let at = nextLineStart(text, end);
  const joins = spec.importJoinsPrologue;
  // A minified bundle's `"use strict";var a=function(){…};a()`: code after the prologue on its line
  // may call a probed function, which an import on the next line would not have set up yet.
  if (joins && text.endsWith(joins, end) && last + 1 < statements.length && statements[last + 1].startIndex < at) return end;
  // Statements sharing the prologue's last line (`from __future__ import x; import y`) come along.
  while (last + 1 < statements.length && statements[last + 1].startIndex < at) {
    at = nextLineStart(text, statements[++last].endIndex);
  }
  return at;
}

/**
 * The topmost doc comment (`doc`) among the comment lines right above `stmt`, or `stmt`: nothing
 * may come between a statement and the comment that documents it (checkJs reads its types there).
 */
function documented(stmt: Node, doc: RegExp | undefined): Node {
  let top = stmt;
  let below = stmt;
  for (let c = stmt.previousNamedSibling; doc && c?.type === 'comment'; c = c.previousNamedSibling) {
    if (c.endPosition.row < below.startPosition.row - 1) break;
    below = c;
    if (doc.test(c.text)) top = c;
  }
  return top;
}

/** The import statement as add() inserts it (engine.ts). */
export function importPiece(spec: LanguageSpec, analysis: Analysis, text: string, opts: EngineOptions): Piece {
  const esm = opts.esm ?? analysis.moduleSyntax;
  const line = spec.templates!.importLine(opts.runtimeImport, esm);
  const rank = -2e9;
  const nl = lineBreakAfter(text, 0);
  if (analysis.packageClause) {
    return { at: analysis.packageClause.end, text: `${nl}${nl}${line}`, rank, seq: 0 };
  }
  const at = analysis.importAt;
  // Inside a line: the import joins the module prologue's last line, between it and the code there.
  if (at > lineStart(text, at) && at < lineEnd(text, at)) return { at, text: line, rank, seq: 0 };
  const atLineStart = at === lineStart(text, at) && at < text.length;
  const endsWithBreak = text.length === 0 || /[\r\n]$/.test(text);
  const body = atLineStart || endsWithBreak ? `${line}${nl}` : `${nl}${line}`;
  return { at, text: body, rank, seq: 0 };
}

/** The span strip deletes for the import, when it stands where importPiece puts it. */
export function importDeletion(analysis: Analysis, text: string): Span | undefined {
  const imp = analysis.importNode!;
  if (analysis.packageClause) {
    const between = text.slice(analysis.packageClause.end, imp.start);
    return between.trim() === '' ? { start: analysis.packageClause.end, end: imp.end } : undefined;
  }
  if (lineStart(text, imp.start) !== imp.start) {
    // The joined form (importOffset): right after the module prologue, inside its line,
    // inserted with no separator, so exactly the statement goes.
    return imp.start === analysis.importAt && imp.end < lineEnd(text, imp.start) ? { start: imp.start, end: imp.end } : undefined;
  }
  const next = nextLineStart(text, imp.end);
  if (next === text.length && lineEnd(text, imp.end) === text.length) {
    return { start: imp.start - breakBefore(text, imp.start), end: imp.end };
  }
  return { start: imp.start, end: next };
}
