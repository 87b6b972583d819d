// Rust: no templates. An LLM instruments functions and methods with the probe forms in
// runtime-api.ts (a drop guard bound first in the body, so no wrapper is needed); this folder gives
// coverage, diagnostics, strip, the runtime module and the compile check.
import type { LanguageSpec } from '../../src/languages/spec.js';
import { rustProbeForms, rustRuntimeApi } from './runtime-api.js';

export const rust: LanguageSpec = {
  id: 'rust',
  extensions: ['.rs'],
  grammar: 'node_modules/tree-sitter-rust/tree-sitter-rust.wasm',
  folder: 'server/languages/rust',
  queries: ['server/languages/rust/sites.scm'],
  lineComment: '//',
  style: 'defer',
  wrapAwait: false,
  runtimeFiles: ['telemetry_runtime.rs'],
  superCallSkip: 'a const fn cannot call the runtime',
  headSiblings: ['attribute_item'],
  probeForms: rustProbeForms,
  runtimeApi: rustRuntimeApi,
  // The file is checked as a crate root, which declares `mod telemetry_runtime;` (found beside it).
  compileCheck: {
    argv: ['rustc', '--edition', '2021', '--crate-type', 'lib', '--crate-name', 'telemetry_check', '-A', 'warnings', '--emit', 'metadata', '--out-dir', '{out}', '{file}'],
  },
};
