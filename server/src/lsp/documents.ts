// Owns the open documents (text sync through TextDocuments, keeping DocumentText copies) and the
// one tree per open document, keyed by version: reparsed when asked for after a change,
// incrementally (tree.edit) where that equals a fresh parse and from scratch otherwise
// (engine/reparse.ts decides), and delete()d when replaced or when the document closes. Also caches
// each version's analysis, derived from the previous version's (engine/incremental.ts re-analyzes
// only what changed).
// Must never hand out a tree or analysis for a version other than the document's current one, nor
// a tree that differs from a fresh parse of the text.
import { TextDocuments, type Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { Tree } from 'web-tree-sitter';
import type { Engine } from '../engine/engine.js';
import type { Since } from '../engine/incremental.js';
import { reparse as reparseTree } from '../engine/reparse.js';
import type { Analysis } from '../engine/sites.js';
import type { LanguageId } from '../engine/types.js';
import { DocumentText, documentTexts } from '../text/document-text.js';
import { LineIndex } from '../text/positions.js';

export { treeEdit } from '../engine/reparse.js';

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
 * the edits that led to it (engine/reparse.ts decides when the old tree may be reused). Leaves
 * `previous.tree` alive. `since` carries what the analysis of the new tree can start from, with or
 * without parse errors: incremental.ts keeps the analysis of what did not change.
 */
function reparse(engine: Engine, lang: LanguageId, previous: Parsed, text: string): { tree: Tree; since?: Since } {
  const { tree, edit, changed } = reparseTree((t, old) => engine.parse(lang, t, old), previous.tree, previous.text, text);
  if (!previous.analysis) return { tree };
  return { tree, since: { analysis: previous.analysis, edit, changed } };
}
