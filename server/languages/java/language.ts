// Java: no templates. An LLM instruments methods and constructors with the probe forms in
// runtime-api.ts (a try/catch/finally around the body, JS-like); this folder gives coverage,
// diagnostics, strip, the runtime class and the compile check.
import type { LanguageSpec } from '../../src/languages/spec.js';
import { javaProbeForms, javaRuntimeApi } from './runtime-api.js';

export const java: LanguageSpec = {
  id: 'java',
  extensions: ['.java'],
  grammar: 'node_modules/tree-sitter-java/tree-sitter-java.wasm',
  folder: 'server/languages/java',
  queries: ['server/languages/java/sites.scm'],
  // No deep probes and no separate light query: the workspace scan runs the sites query itself.
  scanQueries: ['server/languages/java/sites.scm'],
  lineComment: '//',
  style: 'brace',
  wrapAwait: false,
  // The class's package is `_tm`, so it lives in a `_tm/` folder under the source root.
  runtimeFiles: ['Telemetry.java'],
  runtimeSubdir: '_tm',
  probeForms: javaProbeForms,
  runtimeApi: javaRuntimeApi,
  compileChecks: [{ name: 'javac', argv: ['javac', '-nowarn', '-proc:none', '-d', '{out}', '{file}', '{runtime...}'] }],
};
