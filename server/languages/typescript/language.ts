// TypeScript and TSX: the JavaScript probes and runtime with their own grammars. A derived
// class constructor's super() call must stay a root statement, so those constructors are skipped.
import { JS_DOC, jsDeep, jsTemplates } from '../javascript/language.js';
import type { LanguageSpec, Templates } from '../../src/languages/spec.js';

// Probes must keep every type the original had (the runtime's .d.cts declares each call):
// - a returned value is checked as if unwrapped: where the return type is written, `retTyped`
//   (its constraint keeps a template literal's type), or for an awaited value in an async function
//   `retAwaited` (its `T | PromiseLike<T>` lets a `Promise<this>` return type reach the awaited
//   call); `ret` elsewhere, unconstrained, so an inferred return type widens exactly as before.
//   Each branch of a returned `c ? a : b` is wrapped on its own: the conditional passes its context
//   to a generic call inside it only when nothing generic stands between them;
// - a yield's value is implicitly `any` in a generator without a return type, and noImplicitAny
//   rejects that once the value is passed on, which any wrap does: a yield that is a whole
//   statement is wrapped as `void (yield ...)`, whose value TypeScript counts as unused, and a
//   generator without a return type that uses a yield's value is left alone.
const templates: Templates = {
  ...jsTemplates,
  retBy: {
    typed: ['_tm.retTyped(__tel, (', '))'],
    typedAwaited: ['_tm.retAwaited(__tel, (', '))'],
  },
  resumeUnused: ['_tm.resume(__tel, void (', '))'],
  // Before these forms, every yield was wrapped `_tm.resume(__tel, (yield ...) as any)`.
  legacy: [['_tm.resume(__tel, (', ') as any)']],
};

const shared = {
  folder: 'server/languages/typescript',
  queries: ['server/languages/javascript/sites.scm', 'server/languages/typescript/sites.scm', 'server/languages/javascript/deep.scm'],
  scanQueries: ['server/languages/javascript/scan.scm', 'server/languages/typescript/scan.scm', 'server/languages/javascript/deep.scm'],
  lineComment: '//',
  docComment: JS_DOC,
  importJoinsPrologue: ';',
  style: 'brace',
  wrapAwait: true,
  runtimeFiles: ['telemetry-runtime.cjs', 'telemetry-runtime.d.cts'],
  runtimeFolder: 'server/languages/javascript',
  templates,
  splitReturns: { ternary_expression: ['consequence', 'alternative'] },
  superCallSkip: 'a super() call must stay a root statement of the constructor',
  usedYieldSkip: 'a generator without a return type uses the value of a yield, whose type no wrap can keep',
  paramFences: [
    'function_type', 'constructor_type', 'method_signature', 'call_signature', 'construct_signature',
    'abstract_method_signature', 'function_signature', 'index_signature',
  ],
  deep: jsDeep,
  // The project's own tsc (its node_modules/.bin, then PATH; the server ships none), over the lone
  // file with the runtime's .d.cts beside it and the project's node_modules linked in, so packages
  // and @types resolve. A file importing its own modules does not type-check alone, and the
  // original-must-pass rule then leaves the check out: it applies where the file type-checked before.
  // Strict, as most projects are; a file that only passes without it is not checked either.
  compileChecks: [
    {
      name: 'tsc',
      argv: ['tsc', '--noEmit', '--pretty', 'false', '--strict', '--skipLibCheck', '--target', 'esnext', '--module', 'preserve', '--jsx', 'preserve', '{file}'],
      localBin: 'node_modules/.bin',
      linked: ['node_modules'],
    },
  ],
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
