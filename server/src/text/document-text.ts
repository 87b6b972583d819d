// Owns the server's copy of each open document's text: applies LSP content changes (full or
// ranged, in order) with \n, \r\n and a lone \r all as line breaks, as the spec says. Each change
// is resolved against a line table of the text it applies to, built from that text, so the copy
// is exact by construction. Must never update a line table incrementally.
//
// Why not vscode-languageserver-textdocument's TextDocument: 1.0.12 updates its line table in
// place, and when an insertion turns a lone \r before an existing \n into \r\n the table goes stale
// and the next change lands one character off. With the library alone:
//   create 'x = 1\ndef f(a):\n    return a\n', insert '\r' at 0:5, then insert '# ' at 1:0;
//   an editor's text is 'x = 1\r\n# def f(a):…', the library's is 'x = 1\r# \ndef f(a):…'.
// Not yet reported upstream (microsoft/vscode-languageserver-node, textDocument package): link here once it is.
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { LineIndex, type Position, type Range } from './positions.js';

export class DocumentText implements TextDocument {
  private index?: LineIndex;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    private currentVersion: number,
    private text: string,
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  get lineCount(): number {
    return this.lines().lineCount;
  }

  getText(range?: Range): string {
    if (!range) return this.text;
    const lines = this.lines();
    return this.text.slice(lines.offsetAt(range.start), lines.offsetAt(range.end));
  }

  positionAt(offset: number): Position {
    return this.lines().positionAt(offset);
  }

  offsetAt(position: Position): number {
    return this.lines().offsetAt(position);
  }

  /** Applies `changes` in order, each against the text the previous one left. */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      this.text = applyChange(this.text, change, this.lines());
      this.index = undefined;
    }
    this.currentVersion = version;
  }

  /** The line table of the current text, built once per version (the server's other readers share it). */
  lines(): LineIndex {
    this.index ??= new LineIndex(this.text);
    return this.index;
  }
}

/** The text after one content change; `lines` must be the line table of `text`. */
export function applyChange(text: string, change: TextDocumentContentChangeEvent, lines = new LineIndex(text)): string {
  if (!('range' in change) || !change.range) return change.text;
  let start = lines.offsetAt(change.range.start);
  let end = lines.offsetAt(change.range.end);
  if (end < start) [start, end] = [end, start];
  return text.slice(0, start) + change.text + text.slice(end);
}

/** The TextDocuments configuration that keeps DocumentText copies. */
export const documentTexts = {
  create(uri: string, languageId: string, version: number, content: string): DocumentText {
    return new DocumentText(uri, languageId, version, content);
  },
  update(document: DocumentText, changes: TextDocumentContentChangeEvent[], version: number): DocumentText {
    document.update(changes, version);
    return document;
  },
};
