// The VS Code extension's .vsix, as `npm run --prefix clients/vscode package` builds it: what it
// holds (the manifest, the client, the bundled server and every file the server reads at run time)
// and that the server inside it, unpacked, answers the conformance workspace as the repository's does.
// Full tier: it needs `npm ci --prefix clients/vscode` (esbuild, vsce), which .ci/run does.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LspClient } from '../protocol/lsp-client.js';
import { repoRoot } from '../protocol/lsp-client.js';
import { copyConformanceWorkspace, expectedReportFile, golden } from './conformance/report.js';

const extensionDir = path.join(repoRoot, 'clients/vscode');
const vsix = path.join(extensionDir, 'dist-vsix/telemetry-injector.vsix');
const scratch: string[] = [];
let unpacked = '';
let entries: string[] = [];

beforeAll(() => {
  if (!fs.existsSync(path.join(extensionDir, 'node_modules/@vscode/vsce'))) {
    throw new Error('clients/vscode has no node_modules: npm ci --prefix clients/vscode (bash .ci/run does it)');
  }
  execFileSync(process.execPath, [path.join(extensionDir, 'package.mjs')], { cwd: extensionDir, stdio: 'pipe' });
  unpacked = fs.mkdtempSync(path.join(os.tmpdir(), 'vscode-vsix-'));
  scratch.push(unpacked);
  // A .vsix is a zip; python3 is on every test machine here (the runtime tests need it).
  execFileSync('python3', ['-m', 'zipfile', '-e', vsix, unpacked]);
  const list = execFileSync('python3', ['-c', 'import sys, zipfile; print("\\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))', vsix], { encoding: 'utf8' });
  entries = list.trim().split('\n');
}, 120_000);

afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the VS Code extension package', () => {
  it('holds the manifest as written, the client and the README', () => {
    expect(fs.readFileSync(path.join(unpacked, 'extension/package.json'), 'utf8')).toBe(fs.readFileSync(path.join(extensionDir, 'package.json'), 'utf8'));
    expect(entries).toEqual(expect.arrayContaining(['extension.vsixmanifest', 'extension/dist/extension.js', 'extension/readme.md', 'extension/dist/team-file-schema.json']));
  });

  it('holds the bundled server with its grammars, queries, runtimes and worker pool, and no node_modules of the client', () => {
    expect(entries).toEqual(
      expect.arrayContaining([
        'extension/dist/server/main.js',
        'extension/dist/server/worker.js',
        'extension/dist/server/package.json',
        'extension/dist/server/tree-sitter.wasm',
        'extension/dist/server/node_modules/piscina/dist/worker.js',
        'extension/dist/server/node_modules/tree-sitter-python/tree-sitter-python.wasm',
        'extension/dist/server/node_modules/tree-sitter-javascript/tree-sitter-javascript.wasm',
        'extension/dist/server/node_modules/tree-sitter-typescript/tree-sitter-typescript.wasm',
        'extension/dist/server/node_modules/tree-sitter-typescript/tree-sitter-tsx.wasm',
        'extension/dist/server/node_modules/tree-sitter-go/tree-sitter-go.wasm',
        'extension/dist/server/server/languages/python/sites.scm',
        'extension/dist/server/server/languages/python/runtime/telemetry_runtime.py',
        'extension/dist/server/server/languages/javascript/runtime/telemetry-runtime.cjs',
        'extension/dist/server/server/languages/go/runtime/telemetry.go',
        // The trace viewer behind "Telemetry: Show Trace": its entry, page, and speedscope with its licence.
        'extension/dist/server/view.js',
        'extension/dist/server/server/src/view/page/app.js',
        'extension/dist/server/node_modules/speedscope/dist/release/index.html',
        'extension/dist/server/node_modules/speedscope/LICENSE',
        // The LLM layer's price table, required on first use (outside the bundle).
        'extension/dist/server/node_modules/@pydantic/genai-prices/dist/index.cjs',
        // Ajv, required on first use (outside the bundle).
        'extension/dist/server/node_modules/ajv/dist/ajv.js',
      ]),
    );
    expect(entries.filter((entry) => entry.startsWith('extension/node_modules/'))).toEqual([]);
    expect(entries.filter((entry) => entry.endsWith('.map'))).toEqual([]);
  });

  it('loads what the bundled server requires at run time from inside the package', () => {
    // A require() the bundler cannot follow fails only when it runs, so run each one here.
    const main = path.join(unpacked, 'extension/dist/server/main.js');
    const script = `const r = require('node:module').createRequire(${JSON.stringify(main)}); r('@pydantic/genai-prices'); r('ajv');`;
    expect(() => execFileSync(process.execPath, ['-e', script], { cwd: os.tmpdir(), stdio: 'pipe' })).not.toThrow();
  });

  it("answers every conformance file with the expected diagnostics, from the server inside the .vsix", async () => {
    const workspace = copyConformanceWorkspace('vscode-vsix-workspace-');
    scratch.push(workspace);
    const expected = (JSON.parse(fs.readFileSync(expectedReportFile, 'utf8')) as { diagnostics: Record<string, unknown[]> }).diagnostics;
    const client = await LspClient.start({ editor: 'vscode-languageclient-9.0.1', workspace, server: path.join(unpacked, 'extension/dist/server/main.js') });
    try {
      const languages: Record<string, string> = { '.py': 'python', '.js': 'javascript', '.ts': 'typescript', '.go': 'go' };
      const seen: Record<string, unknown[]> = {};
      for (const file of Object.keys(expected)) {
        const document = await client.open(path.join(workspace, file), languages[path.extname(file)]!);
        seen[file] = (await client.diagnostics(document)).map(({ range, severity, code, source, message }) => ({ range, severity, code, source, message }));
      }
      expect(seen).toEqual(expected);
    } finally {
      await client.shutdown();
    }
  });

  it('fixes all of python/app.py into the golden file, from the server inside the .vsix', async () => {
    const workspace = copyConformanceWorkspace('vscode-vsix-fixall-');
    scratch.push(workspace);
    const client = await LspClient.start({ editor: 'vscode-languageclient-9.0.1', workspace, server: path.join(unpacked, 'extension/dist/server/main.js') });
    try {
      const document = await client.open(path.join(workspace, 'python/app.py'), 'python');
      const start = { line: 0, character: 0 };
      const [fixAll] = await client.codeActions(document, { start, end: start }, ['source.fixAll.telemetry']);
      const edit = fixAll && (await client.editOf(fixAll));
      expect(edit).toBeDefined();
      await client.apply(edit!);
      expect(client.documents.get(pathToFileURL(path.join(workspace, 'python/app.py')).href)!.text).toBe(golden('fix-all'));
    } finally {
      await client.shutdown();
    }
  });
});
