// Rust: no templates. An LLM instruments functions and methods with the probe forms in
// runtime-api.ts (a drop guard bound first in the body, so no wrapper is needed); this folder gives
// coverage, diagnostics, strip, the runtime module and the compile check.
import type { LanguageSpec } from '../../src/languages/spec.js';
import { rustProbeForms, rustRuntimeApi } from './runtime-api.js';

/** A line declaring the runtime module (`mod telemetry_runtime;`, `pub(crate) mod …`), as grep -E reads it. */
const DECLARED = '^[[:space:]]*(pub(\\([^)]*\\))?[[:space:]]+)?mod[[:space:]]+telemetry_runtime[[:space:]]*;';

export const rust: LanguageSpec = {
  id: 'rust',
  extensions: ['.rs'],
  grammar: 'node_modules/tree-sitter-rust/tree-sitter-rust.wasm',
  folder: 'server/languages/rust',
  queries: ['server/languages/rust/sites.scm'],
  // No deep probes and no separate light query: the workspace scan runs the sites query itself.
  scanQueries: ['server/languages/rust/sites.scm'],
  lineComment: '//',
  style: 'defer',
  wrapAwait: false,
  runtimeFiles: ['telemetry_runtime.rs'],
  superCallSkip: 'a const fn cannot call the runtime',
  headSiblings: ['attribute_item'],
  probeForms: rustProbeForms,
  runtimeApi: rustRuntimeApi,
  // The file is checked as a crate root with the runtime module beside it. A crate root declares
  // `mod telemetry_runtime;` already; any other file gets the declaration appended to the temporary
  // copy (at the end, so error lines do not move), as its crate root would give it.
  compileChecks: [{
    name: 'rustc',
    argv: [
      'sh', '-c',
      `grep -Eq '${DECLARED}' "$1" || printf '\\nmod telemetry_runtime;\\n' >> "$1"; ` +
        'exec rustc --edition 2021 --crate-type lib --crate-name telemetry_check -A warnings --emit metadata --out-dir "$2" "$1"',
      'rust-compile-check', '{file}', '{out}',
    ],
  }],
};
