// JavaScript: probes wrap the body in try/catch/finally after the directive prologue; async
// functions and generators suspend and resume the span around every await and yield.
import type { LanguageSpec, Templates } from '../../src/languages/spec.js';

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

export const javascript: LanguageSpec = {
  id: 'javascript',
  extensions: ['.js', '.mjs', '.cjs', '.jsx'],
  grammar: 'node_modules/tree-sitter-javascript/tree-sitter-javascript.wasm',
  folder: 'server/languages/javascript',
  queries: ['server/languages/javascript/sites.scm', 'server/languages/javascript/grammar.scm'],
  lineComment: '//',
  style: 'brace',
  wrapAwait: true,
  runtimeFiles: ['telemetry-runtime.cjs', 'telemetry-runtime.d.cts'],
  templates: jsTemplates,
};
