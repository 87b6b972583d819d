import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { InitializeParams } from 'vscode-languageserver';
import { resolveClientFeatures } from '../../server/src/lsp/capabilities.js';

const capabilitiesDir = path.resolve(import.meta.dirname, '../protocol/editors');
const featuresOf = (editor: string) =>
  resolveClientFeatures(JSON.parse(fs.readFileSync(path.join(capabilitiesDir, `${editor}.json`), 'utf8')) as InitializeParams);

// The table of tests/protocol/editors/README.md, as the server reads it.
const expected: Record<string, Partial<ReturnType<typeof featuresOf>>> = {
  'neovim-0.7.2': { pullDiagnostics: false, diagnosticRefresh: false, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: false, watchFiles: false },
  'neovim-0.11.0': { pullDiagnostics: true, diagnosticRefresh: false, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: false, watchFiles: false },
  'neovim-0.12.0': { pullDiagnostics: true, diagnosticRefresh: true, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: true, watchFiles: false },
  'helix-25.07.1': { pullDiagnostics: false, diagnosticRefresh: false, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: true, watchFiles: true },
  'helix-master-079a789e': { pullDiagnostics: true, diagnosticRefresh: true, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, watchFiles: true },
  'zed-main-38df25d5': { pullDiagnostics: true, diagnosticRefresh: true, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: false, watchFiles: true },
  'vscode-languageclient-9.0.1': { pullDiagnostics: true, diagnosticRefresh: true, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: true, watchFiles: true },
  'vscode-languageclient-11.0.0': { pullDiagnostics: true, diagnosticRefresh: true, documentChanges: true, createFiles: true, configuration: true, resolveEdit: true, disabledActions: true, watchFiles: true },
};

describe('resolveClientFeatures', () => {
  it.each(Object.entries(expected))('reads what %s can do, quirks included', (editor, features) => {
    expect(featuresOf(editor)).toMatchObject(features);
  });

  it('treats a client that declares nothing as push-only, with plain changes and eager edits', () => {
    expect(resolveClientFeatures({ processId: null, rootUri: null, capabilities: {} })).toEqual({
      name: 'unknown',
      pullDiagnostics: false,
      diagnosticRefresh: false,
      configuration: false,
      registerConfigurationChange: false,
      documentChanges: false,
      createFiles: false,
      applyEdit: false,
      resolveEdit: false,
      disabledActions: false,
      watchFiles: false,
      codeLensResolve: false,
      codeLensRefresh: false,
    });
  });

  it('resolves lenses lazily only where the client declares codeLens.resolveSupport, and refreshes them where it declares refreshSupport', () => {
    expect(featuresOf('vscode-languageclient-11.0.0')).toMatchObject({ codeLensResolve: true, codeLensRefresh: true });
    expect(featuresOf('vscode-languageclient-9.0.1')).toMatchObject({ codeLensResolve: false, codeLensRefresh: true });
    expect(featuresOf('neovim-0.11.0')).toMatchObject({ codeLensResolve: true, codeLensRefresh: false });
    expect(featuresOf('neovim-0.7.2')).toMatchObject({ codeLensResolve: false, codeLensRefresh: false });
  });
});
