// Owns the shape of the WorkspaceEdits the server sends: versioned documentChanges (pinned to the
// version the changes were computed for, creating runtime files first) where the client supports
// them, plain `changes` otherwise.
// Must never pin an edit to any version but the snapshot's, and never emit CreateFile to a client that cannot.
import { pathToFileURL } from 'node:url';
import {
  CreateFile,
  TextDocumentEdit,
  TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import type { TextChange } from '../engine/types.js';
import type { Snapshot } from './analyzer.js';
import type { ClientFeatures } from './capabilities.js';
import type { RuntimeFile } from './runtime-file.js';

/** `create` is only honoured when `client.createFiles`; callers write those files themselves otherwise. */
export function workspaceEdit(
  client: ClientFeatures,
  snap: Snapshot,
  changes: readonly TextChange[],
  create: readonly RuntimeFile[] = [],
): WorkspaceEdit {
  const edits = changes.map((change) => {
    const inside = withinLastLine(change, snap.text);
    return TextEdit.replace(snap.lines.rangeOf(inside), inside.text);
  });
  if (!client.documentChanges) return { changes: { [snap.uri]: edits } };
  const creations = client.createFiles
    ? create.flatMap((file) => {
        const uri = pathToFileURL(file.path).href;
        const start = { line: 0, character: 0 };
        return [
          CreateFile.create(uri, { ignoreIfExists: true }),
          TextDocumentEdit.create({ uri, version: null }, [TextEdit.insert(start, file.content)]),
        ];
      })
    : [];
  return {
    documentChanges: [...creations, TextDocumentEdit.create({ uri: snap.uri, version: snap.version }, edits)],
  };
}

/**
 * An insertion at the very end of a document that ends with a line break, whose text ends with
 * one too, is sent as the same bytes inserted before that final line break instead: Neovim 0.8 to
 * 0.11 append an edit that starts past the last line as whole lines and leave an extra empty line
 * (the conformance scenario's fix-all on Neovim 0.11 showed it). The resulting text is identical.
 */
function withinLastLine(change: TextChange, text: string): TextChange {
  if (change.start !== text.length || change.end !== text.length) return change;
  const lineBreak = /(\r\n|\n|\r)$/.exec(text)?.[1];
  if (!lineBreak || !change.text.endsWith(lineBreak)) return change;
  const at = text.length - lineBreak.length;
  return { start: at, end: at, text: lineBreak + change.text.slice(0, -lineBreak.length) };
}
