// The fixture workspace of the protocol tests: one small source file per language, with the
// functions the server must report, copied into a fresh temporary folder per server.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const fixturesDir = fileURLToPath(new URL('./fixtures', import.meta.url));

export interface LanguageFixture {
  lang: string;
  languageId: string;
  /** Relative to the workspace. */
  file: string;
  /** Display names of the functions without telemetry, in source order. */
  functions: string[];
  /** The runtime module the first "add" must bring into the workspace. */
  runtime: string;
}

export const languages: LanguageFixture[] = [
  {
    lang: 'python',
    languageId: 'python',
    file: 'python/greeter.py',
    functions: ['greet', 'Counter.__init__', 'Counter.bump', 'fetch'],
    runtime: 'telemetry_runtime.py',
  },
  {
    lang: 'javascript',
    languageId: 'javascript',
    file: 'javascript/greeter.js',
    functions: ['greet', 'Counter.constructor', 'Counter.bump', 'fetchBase'],
    runtime: 'telemetry-runtime.cjs',
  },
  {
    lang: 'typescript',
    languageId: 'typescript',
    file: 'typescript/greeter.ts',
    functions: ['greet', 'Counter.bump'],
    runtime: 'telemetry-runtime.cjs',
  },
  {
    lang: 'go',
    languageId: 'go',
    file: 'go/greeter.go',
    functions: ['Greet', 'Counter.Bump'],
    runtime: 'telemetry/telemetry.go',
  },
];

/** A fresh copy of the fixtures (a Go module `example.com/demo` at its root). */
export function makeWorkspace(): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-lsp-'));
  fs.cpSync(fixturesDir, workspace, { recursive: true });
  return workspace;
}

export function removeWorkspace(workspace: string): void {
  fs.rmSync(workspace, { recursive: true, force: true });
}

/** Every editor whose real initialize params the tests replay. */
export const editors = [
  'neovim-0.7.2',
  'neovim-0.11.0',
  'neovim-0.12.0',
  'helix-25.07.1',
  'helix-master-079a789e',
  'zed-main-38df25d5',
  'vscode-languageclient-9.0.1',
  'vscode-languageclient-10.1.0',
  'vscode-languageclient-11.0.0',
];
