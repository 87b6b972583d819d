// Resolves what the client can do, once, at initialize, into a plain object that handlers read.
// Editor quirks (see tests/protocol/editors/README.md) are settled here and nowhere else.
// Must never be consulted through the raw ClientCapabilities after initialize.
import type { InitializeParams } from 'vscode-languageserver';

export interface ClientFeatures {
  /** clientInfo.name, for logs. */
  name: string;
  /** textDocument/diagnostic; otherwise diagnostics are pushed. Never both. */
  pullDiagnostics: boolean;
  /** workspace/diagnostic/refresh may be sent (only meaningful with pull). */
  diagnosticRefresh: boolean;
  /** workspace/configuration may be asked. */
  configuration: boolean;
  /** didChangeConfiguration must be registered dynamically to be sent at all. */
  registerConfigurationChange: boolean;
  /** WorkspaceEdit.documentChanges (versioned TextDocumentEdit). */
  documentChanges: boolean;
  /** CreateFile inside documentChanges. */
  createFiles: boolean;
  /** workspace/applyEdit. */
  applyEdit: boolean;
  /** Code actions may be sent without an edit and completed through codeAction/resolve. */
  resolveEdit: boolean;
  /** CodeAction.disabled is shown (otherwise unusable actions are omitted). */
  disabledActions: boolean;
  /**
   * workspace/didChangeWatchedFiles can be registered dynamically, so the server learns about files
   * changed on disk; otherwise it reads a file again when it is opened, saved or closed.
   */
  watchFiles: boolean;
  /** Code lenses may be sent without a command and completed through codeLens/resolve. */
  codeLensResolve: boolean;
  /** workspace/codeLens/refresh may be sent. */
  codeLensRefresh: boolean;
}

export function resolveClientFeatures(params: InitializeParams): ClientFeatures {
  const { workspace, textDocument } = params.capabilities;
  const name = params.clientInfo?.name ?? 'unknown';
  // Neovim applies documentChanges (file creation included) and answers workspace/configuration
  // without declaring either.
  const neovim = name.toLowerCase() === 'neovim';
  const codeAction = textDocument?.codeAction;
  // Helix master declares diagnostic refresh under `workspace.diagnostic` rather than `diagnostics`.
  const helixRefresh = (workspace as { diagnostic?: { refreshSupport?: boolean } } | undefined)?.diagnostic;
  const documentChanges = neovim || workspace?.workspaceEdit?.documentChanges === true;
  return {
    name,
    pullDiagnostics: textDocument?.diagnostic !== undefined,
    diagnosticRefresh:
      workspace?.diagnostics?.refreshSupport === true || helixRefresh?.refreshSupport === true,
    configuration: neovim || workspace?.configuration === true,
    registerConfigurationChange: workspace?.didChangeConfiguration?.dynamicRegistration === true,
    documentChanges,
    createFiles:
      documentChanges && (neovim || (workspace?.workspaceEdit?.resourceOperations ?? []).includes('create')),
    applyEdit: workspace?.applyEdit === true,
    resolveEdit:
      codeAction?.dataSupport === true && (codeAction.resolveSupport?.properties ?? []).includes('edit'),
    disabledActions: codeAction?.disabledSupport === true,
    watchFiles: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    // LSP 3.18's codeLens.resolveSupport; a client that does not declare it gets titled lenses.
    codeLensResolve: ((textDocument?.codeLens as { resolveSupport?: { properties?: string[] } } | undefined)?.resolveSupport?.properties ?? []).includes('command'),
    codeLensRefresh: workspace?.codeLens?.refreshSupport === true,
  };
}
