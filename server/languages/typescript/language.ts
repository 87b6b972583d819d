// TypeScript and TSX: the JavaScript probes and runtime with their own grammars. A derived
// class constructor's super() call must stay a root statement, so those constructors are skipped.
import { jsDeep, jsTemplates } from '../javascript/language.js';
import type { LanguageSpec } from '../../src/languages/spec.js';

// A yield's result is implicitly `any` in a generator without a return type; passing it to
// resume() would make that an error under noImplicitAny, so the cast keeps it explicit.
// An await keeps its type (resume returns what it is given), hence the JavaScript form for it.
const templates = { ...jsTemplates, resume: ['_tm.resume(__tel, (', ') as any)'] as const, resumeAwait: jsTemplates.resume };

const shared = {
  folder: 'server/languages/typescript',
  queries: ['server/languages/javascript/sites.scm', 'server/languages/typescript/sites.scm', 'server/languages/javascript/deep.scm'],
  lineComment: '//',
  style: 'brace',
  wrapAwait: true,
  runtimeFiles: ['telemetry-runtime.cjs', 'telemetry-runtime.d.cts'],
  runtimeFolder: 'server/languages/javascript',
  templates,
  superCallSkip: 'a super() call must stay a root statement of the constructor',
  paramFences: [
    'function_type', 'constructor_type', 'method_signature', 'call_signature', 'construct_signature',
    'abstract_method_signature', 'function_signature', 'index_signature',
  ],
  deep: jsDeep,
} as const;

export const typescript: LanguageSpec = {
  ...shared,
  id: 'typescript',
  extensions: ['.ts', '.mts', '.cts'],
  grammar: 'node_modules/tree-sitter-typescript/tree-sitter-typescript.wasm',
};

export const tsx: LanguageSpec = {
  ...shared,
  id: 'tsx',
  extensions: ['.tsx'],
  grammar: 'node_modules/tree-sitter-typescript/tree-sitter-tsx.wasm',
};
