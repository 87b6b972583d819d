import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, removeWorkspace } from './fixtures.js';
import { LspClient, type OpenDocument } from './lsp-client.js';

/**
 * The diagnostics for a text never depend on the edits that led to it: the edited document's
 * diagnostics equal those of the same text opened fresh under another name.
 */
describe('text and tree sync under edits', () => {
  let client: LspClient;
  let workspace: string;
  let opened = 0;
  const file = (name: string) => path.join(workspace, name);

  beforeAll(async () => {
    workspace = makeWorkspace();
    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
  });

  afterAll(async () => {
    await client.shutdown();
    removeWorkspace(workspace);
  });

  /** The same text opened fresh under another name; function ids name their file, so that part is the document's. */
  async function freshDiagnostics(document: OpenDocument, ext: string) {
    const name = `fresh-${opened++}${ext}`;
    const fresh = await client.open(file(name), document.languageId, document.text);
    const diagnostics = await client.diagnostics(fresh);
    await client.close(fresh);
    const own = document.uri.slice(document.uri.lastIndexOf('/') + 1);
    return diagnostics.map((d) => {
      const data = d.data as { id?: string };
      return data?.id ? { ...d, data: { ...data, id: data.id.replace(`${name}::`, `${own}::`) } } : d;
    });
  }

  it('keeps the text exact when an insertion joins a lone CR to the LF after it', async () => {
    const document = await client.open(file('cr-join.py'), 'python', 'x = 1\ndef f(a):\n    return a\n');
    await client.change(document, 'x = 1\r\ndef f(a):\n    return a\n');
    await client.change(document, 'x = 1\r\n# def f(a):\n    return a\n');
    // `f` is commented out: nothing lacks telemetry.
    expect(await client.diagnostics(document)).toEqual([]);
    expect(await client.diagnostics(document)).toEqual(await freshDiagnostics(document, '.py'));
  });

  it('gives the exact text back after fixAll and remove in a file where a CR was joined to an LF', async () => {
    const document = await client.open(file('cr-join-fix.py'), 'python', 'x = 1\ndef f(a):\n    return a\n\ndef g(b):\n    return b\n');
    await client.change(document, 'x = 1\r\ndef f(a):\n    return a\n\ndef g(b):\n    return b\n');
    await client.change(document, 'x = 1\r\ndef f(a):\n    return a\n\ndef g(b):\n    return b + 1\n');
    const original = document.text;
    const whole = { start: { line: 0, character: 0 }, end: { line: 9, character: 0 } };
    const [fixAll] = await client.codeActions(document, whole, ['source.fixAll.telemetry']);
    await client.apply((await client.editOf(fixAll!))!);
    expect(document.text).toContain('_tm.enter("g"');
    const [remove] = await client.codeActions(document, whole, ['source.removeTelemetry']);
    await client.apply((await client.editOf(remove!))!);
    expect(document.text).toBe(original);
  });

  it('reports for an edit that breaks a clean TypeScript file what a fresh open reports', async () => {
    // Minimised from cac's deno/utils.ts: inserting `{I` makes the incremental parse's error
    // recovery nest a function differently from a fresh parse's (tree-sitter#4001, #1444).
    const before =
      "s=()=>{(m:[])=>{if((''))return{}};while(n){}while((v)){}}\ninterface s{}s=(o:[])=>{s={};for([]of o){if(1){}//\n" +
      "if(n){if(d){n=m(()=>{});if(n){}}else{h([])}}}}\ne=(a:[])>{}\nexport const t=(r)>{};e=()=>{(([])())}\n" +
      "export const s=(o:{},)=>{for(;;){}};p=>{for(c of s()){f(){if(e=''){}}}}\ne=()=>{('')(()=>{}).o}\n" +
      "export class r extends r{r(){if(t=''){}}}";
    const document = await client.open(file('clean.ts'), 'typescript', before);
    expect((await client.diagnostics(document)).length).toBeGreaterThan(0);
    await client.change(document, `${before.slice(0, 124)}{I${before.slice(124)}`);
    expect(await client.diagnostics(document)).toEqual(await freshDiagnostics(document, '.ts'));
  });
});
