import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient } from './lsp-client.js';

describe('the server lifecycle', () => {
  let client: LspClient;
  let workspace: string;

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor: 'neovim-0.12.0', workspace });
  });

  afterAll(() => removeWorkspace(workspace));

  it('keeps the utf-16 position encoding and advertises only what it handles', () => {
    const capabilities = client.initializeResult.capabilities;
    expect(capabilities.positionEncoding).toBe('utf-16');
    expect(capabilities.codeActionProvider).toEqual({
      codeActionKinds: ['quickfix', 'refactor.rewrite', 'source.fixAll.telemetry', 'source.removeTelemetry'],
      resolveProvider: true,
    });
    expect(Object.keys(capabilities).sort()).toEqual(
      ['codeActionProvider', 'codeLensProvider', 'diagnosticProvider', 'executeCommandProvider', 'hoverProvider', 'positionEncoding', 'textDocumentSync'].sort(),
    );
  });

  it('answers a request it does not know with MethodNotFound and logs it', async () => {
    await expect(client.request('textDocument/signatureHelp', { textDocument: { uri: 'file:///x.py' }, position: { line: 0, character: 0 } })).rejects.toMatchObject({ code: -32601 });
    await client.waitFor(() => client.logs().find((line) => line.includes('unhandled request textDocument/signatureHelp')));
  });

  it('exits with code 0 after shutdown and exit', async () => {
    expect(await client.shutdown()).toBe(0);
    expect(client.unhandled).toEqual([]);
  });
});
