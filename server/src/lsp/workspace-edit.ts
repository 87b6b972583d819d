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
  const edits = changes.map((change) => TextEdit.replace(snap.lines.rangeOf(change), change.text));
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
