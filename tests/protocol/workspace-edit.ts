// Applies a WorkspaceEdit the way an editor does: TextDocumentEdits are refused unless their version
// is the open document's, files are created on disk, edits to files that are not open go to disk.
// Uses vscode-languageserver-textdocument, not the server's position code, so that tests check it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TextEdit, WorkspaceEdit } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { OpenDocument } from './lsp-client.js';

interface CreateFileChange {
  kind: 'create';
  uri: string;
  options?: { overwrite?: boolean; ignoreIfExists?: boolean };
}

/** Returns the new text of each open document the edit touched; disk changes are made at once. */
export function applyWorkspaceEdit(edit: WorkspaceEdit, open: Map<string, OpenDocument>): Map<OpenDocument, string> {
  const texts = new Map<OpenDocument, string>();
  const editText = (uri: string, edits: TextEdit[], version?: number | null) => {
    const document = open.get(uri);
    if (document) {
      if (version !== undefined && version !== null && version !== document.version) {
        throw new Error(`edit for ${uri} version ${version}, but the document is at version ${document.version}`);
      }
      texts.set(document, applyTextEdits(texts.get(document) ?? document.text, edits));
    } else {
      const file = fileURLToPath(uri);
      fs.writeFileSync(file, applyTextEdits(fs.readFileSync(file, 'utf8'), edits));
    }
  };
  for (const change of edit.documentChanges ?? []) {
    if ('kind' in change) {
      if (change.kind !== 'create') throw new Error(`unexpected resource operation ${change.kind}`);
      createFile(change as CreateFileChange);
    } else {
      editText(change.textDocument.uri, change.edits as TextEdit[], change.textDocument.version);
    }
  }
  for (const [uri, edits] of Object.entries(edit.changes ?? {})) editText(uri, edits);
  return texts;
}

export function applyTextEdits(text: string, edits: TextEdit[]): string {
  return TextDocument.applyEdits(TextDocument.create('file:///edit', 'plaintext', 0, text), edits);
}

function createFile(change: CreateFileChange): void {
  const file = fileURLToPath(change.uri);
  if (fs.existsSync(file)) {
    if (change.options?.ignoreIfExists && !change.options.overwrite) return;
    if (!change.options?.overwrite) throw new Error(`${file} exists`);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, '');
}
