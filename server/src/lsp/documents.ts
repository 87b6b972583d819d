// Owns the open documents (text sync through TextDocuments, keeping DocumentText copies) and the
// one tree per open document, keyed by version: reparsed incrementally (tree.edit) when asked for
// after a change, from scratch when errors are involved, and delete()d when replaced or when the
// document closes. Also caches each version's analysis, derived from the previous version's when
// the tree was reparsed incrementally (engine/incremental.ts re-analyzes only what changed).
// Must never hand out a tree or analysis for a version other than the document's current one, nor
// a tree that differs from a fresh parse of the text.
import { TextDocuments, type Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Edit, Tree } from 'web-tree-sitter';
import type { Engine } from '../engine/engine.js';
import type { Since } from '../engine/incremental.js';
import type { Analysis } from '../engine/sites.js';
import type { LanguageId } from '../engine/types.js';
import { DocumentText, documentTexts } from '../text/document-text.js';
import { LineIndex, pointAt } from '../text/positions.js';

interface Parsed {
  version: number;
  text: string;
  tree: Tree;
  analysis?: Analysis;
  /** The previous version's analysis and what changed since, until this version's is made. */
  since?: Since;
  lines?: LineIndex;
}

export interface DocumentEvents {
  opened(uri: string): void;
  changed(uri: string): void;
  closed(uri: string): void;
}

export class DocumentStore {
  private readonly documents = new TextDocuments(documentTexts);
  private readonly parsed = new Map<string, Parsed>();

  constructor(private readonly engine: Engine) {
    this.documents.onDidClose(({ document }) => this.drop(document.uri));
  }

  /** Binds text sync to the connection and reports each open, change and close once. */
  listen(connection: Connection, events: DocumentEvents): void {
    // TextDocuments reports an open as a content change too; `opening` tells the two apart.
    let opening: TextDocument | undefined;
    this.documents.onDidOpen(({ document }) => {
      opening = document;
      events.opened(document.uri);
    });
    this.documents.onDidChangeContent(({ document }) => {
      if (document === opening) opening = undefined;
      else events.changed(document.uri);
    });
    this.documents.onDidClose(({ document }) => events.closed(document.uri));
    this.documents.listen(connection);
  }

  get(uri: string): TextDocument | undefined {
    return this.documents.get(uri);
  }

  all(): TextDocument[] {
    return this.documents.all();
  }

  /** The tree of the document's current version. `engine.ready(lang)` must have resolved. */
  tree(document: TextDocument, lang: LanguageId): Tree {
    return this.current(document, lang).tree;
  }

  analysis(document: TextDocument, lang: LanguageId): Analysis {
    const parsed = this.current(document, lang);
    if (!parsed.analysis) {
      const { since } = parsed;
      parsed.since = undefined;
      parsed.analysis = since ? this.engine.analyzeSince(lang, parsed.text, parsed.tree, since) : this.engine.analyze(lang, parsed.text, parsed.tree);
    }
    return parsed.analysis;
  }

  lines(document: TextDocument, lang: LanguageId): LineIndex {
    const parsed = this.current(document, lang);
    // The text copy's own table when it is of this version: one table per version, not two.
    parsed.lines ??= document instanceof DocumentText && document.getText() === parsed.text ? document.lines() : new LineIndex(parsed.text);
    return parsed.lines;
  }

  dispose(): void {
    for (const uri of [...this.parsed.keys()]) this.drop(uri);
  }

  private current(document: TextDocument, lang: LanguageId): Parsed {
    const previous = this.parsed.get(document.uri);
    if (previous?.version === document.version) return previous;
    const text = document.getText();
    const { tree, since } = previous ? reparse(this.engine, lang, previous, text) : { tree: this.engine.parse(lang, text), since: undefined };
    previous?.tree.delete();
    const parsed: Parsed = { version: document.version, text, tree, since };
    this.parsed.set(document.uri, parsed);
    return parsed;
  }

  private drop(uri: string): void {
    this.parsed.get(uri)?.tree.delete();
    this.parsed.delete(uri);
  }
}

/**
 * The tree of `text`, equal to a fresh parse of it: the diagnostics of a text must never depend on
 * the edits that led to it. Tree-sitter's error recovery can differ between an incremental and a
 * fresh parse (tree-sitter#4001, #1444), so the old tree is reused only when neither it nor the
 * result holds an error; otherwise the text is parsed from scratch. Leaves `previous.tree` alive.
 * After an incremental parse, `since` carries what the analysis of the new tree can start from.
 */
function reparse(engine: Engine, lang: LanguageId, previous: Parsed, text: string): { tree: Tree; since?: Since } {
  if (previous.tree.rootNode.hasError) return { tree: engine.parse(lang, text) };
  const edit = treeEdit(previous.text, text);
  previous.tree.edit(edit);
  const incremental = engine.parse(lang, text, previous.tree);
  if (incremental.rootNode.hasError) {
    incremental.delete();
    return { tree: engine.parse(lang, text) };
  }
  if (!previous.analysis) return { tree: incremental };
  const changed = previous.tree.getChangedRanges(incremental).map(({ startIndex, endIndex }) => ({ startIndex, endIndex }));
  return { tree: incremental, since: { analysis: previous.analysis, edit, changed } };
}

const DIFF_CHUNK = 256;

/**
 * One edit spanning everything between the common prefix and suffix of the two texts. Diffing the
 * texts (rather than replaying content changes) also covers several changes made since the last parse.
 */
export function treeEdit(oldText: string, newText: string): Edit {
  const limit = Math.min(oldText.length, newText.length);
  let start = 0;
  // Whole chunks first (a native comparison), then character by character: this runs on every keystroke.
  while (start + DIFF_CHUNK <= limit && oldText.slice(start, start + DIFF_CHUNK) === newText.slice(start, start + DIFF_CHUNK)) start += DIFF_CHUNK;
  while (start < limit && oldText.charCodeAt(start) === newText.charCodeAt(start)) start++;
  let suffix = 0;
  const chunkAt = (text: string) => text.slice(text.length - suffix - DIFF_CHUNK, text.length - suffix);
  while (suffix + DIFF_CHUNK <= limit - start && chunkAt(oldText) === chunkAt(newText)) suffix += DIFF_CHUNK;
  while (
    suffix < limit - start &&
    oldText.charCodeAt(oldText.length - 1 - suffix) === newText.charCodeAt(newText.length - 1 - suffix)
  ) {
    suffix++;
  }
  const oldEnd = oldText.length - suffix;
  const newEnd = newText.length - suffix;
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    newEndIndex: newEnd,
    startPosition: pointAt(oldText, start),
    oldEndPosition: pointAt(oldText, oldEnd),
    newEndPosition: pointAt(newText, newEnd),
  };
}
