// JavaScript: probes wrap the body in try/catch/finally after the directive prologue; async
// functions and generators suspend and resume the span around every await and yield.
import type { DeepSpec, LanguageSpec, Templates } from '../../src/languages/spec.js';

const jsString = (s: string): string => JSON.stringify(s);

export const jsTemplates: Templates = {
  importLine: (specifier, esm) =>
    esm ? `import * as _tm from ${jsString(specifier)};` : `const _tm = require(${jsString(specifier)});`,
  entry: ({ name, relPath, line, params }) =>
    `const __tel = _tm.on() && _tm.enter(${jsString(name)}, ${jsString(relPath)}, ${line}, ${params.length ? `{ ${params.join(', ')} }` : '{}'});`,
  open: ' try {',
  close: ['} catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }'],
  ret: ['_tm.ret(__tel, (', '))'],
  resume: ['_tm.resume(__tel, ', ')'],
  suspend: ['_tm.suspend(__tel, ', ')'],
  bareSuspend: ' _tm.suspend(__tel)',
};

/** A JSDoc block, unless it holds a pragma that must stay among a file's leading comments (`@jsx`, `@ts-check`). */
export const JS_DOC = /^\/\*\*(?![\s\S]*@(jsx|ts-))/;

export const jsDeep: DeepSpec = {
  containers: { statement_block: '{', switch_case: ':', switch_default: ':' },
  barriers: ['class_static_block'],
  names: ['identifier', 'shorthand_property_identifier_pattern'],
  patterns: {
    object_pattern: '*', array_pattern: '*', rest_pattern: '*',
    pair_pattern: ['value'], object_assignment_pattern: ['left'], assignment_pattern: ['left'],
  },
  inlineAfterNeedsTerminator: ';',
  // JSDoc too: `/** @type {X} */` types the statement below it, which a probe between would take.
  nextLineDirective: /^\/\*\*|@ts-(ignore|expect-error)|eslint-disable-next-line/,
  sep: ' ',
  handlePrefix: '__l',
  templates: {
    variable: (rel, name) => `__tel && _tm.var(__tel, ${rel}, ${jsString(name)}, ${name});`,
    redacted: (rel, name) => `__tel && _tm.var(__tel, ${rel}, ${jsString(name)});`,
    branch: (rel, label, condition) => `__tel && _tm.branch(__tel, ${rel}, ${jsString(label)}, ${condition === null ? 'null' : jsString(condition)});`,
    loop: (rel, handle, kind) => `const ${handle} = __tel && _tm.loop(__tel, ${rel}, ${jsString(kind)});`,
    tick: (handle) => `${handle} && ${handle}.n++;`,
    done: (handle) => `${handle} && _tm.done(${handle});`,
    exception: (rel, clause, binding) => clause === 'finally' ? `__tel && _tm.fin(__tel, ${rel});`
      : `__tel && _tm.caught(__tel, ${rel}${binding ? `, ${binding}` : ''});`,
  },
};

export const javascript: LanguageSpec = {
  id: 'javascript',
  extensions: ['.js', '.mjs', '.cjs', '.jsx'],
  grammar: 'node_modules/tree-sitter-javascript/tree-sitter-javascript.wasm',
  folder: 'server/languages/javascript',
  queries: ['server/languages/javascript/sites.scm', 'server/languages/javascript/grammar.scm', 'server/languages/javascript/deep.scm'],
  scanQueries: ['server/languages/javascript/scan.scm', 'server/languages/javascript/scan-grammar.scm', 'server/languages/javascript/deep.scm'],
  lineComment: '//',
  compileChecks: [{ name: 'node --check', argv: ['node', '--check', '{file}'] }],
  docComment: JS_DOC,
  importJoinsPrologue: ';',
  style: 'brace',
  wrapAwait: true,
  runtimeFiles: ['telemetry-runtime.cjs', 'telemetry-runtime.d.cts'],
  templates: jsTemplates,
  deep: jsDeep,
};
