// Python: probes wrap the body in try/except/finally, so return, raise and falling off the end
// all reach the exit probe; generators suspend and resume the span around every yield.
// A return value is caught by an assignment expression into `__r` (which the entry line sets to
// the span, meaning "nothing returned") and handed to the exit probe, so telemetry off costs
// one store per return rather than a call.
import type { LanguageSpec } from '../../src/languages/spec.js';

// Lone surrogates (possible in UTF-16 source text) are written as escapes JSON leaves alone.
const pyString = (s: string): string => JSON.stringify(s);

export const python: LanguageSpec = {
  id: 'python',
  extensions: ['.py', '.pyw'],
  grammar: 'node_modules/tree-sitter-python/tree-sitter-python.wasm',
  folder: 'server/languages/python',
  queries: ['server/languages/python/sites.scm', 'server/languages/python/deep.scm'],
  scanQueries: ['server/languages/python/scan.scm', 'server/languages/python/deep.scm'],
  lineComment: '#',
  compileChecks: [{ name: 'py_compile', argv: ['python3', '-m', 'py_compile', '{file}'] }],
  style: 'indent',
  wrapAwait: false,
  runtimeFiles: ['telemetry_runtime.py'],
  templates: {
    importLine: (module) => `import ${module} as _tm`,
    entry: ({ name, relPath, line, params }) =>
      `__tel = __r = _tm.on and _tm.enter(${pyString(name)}, ${pyString(relPath)}, ${line}, {${params
        .map((p) => `${pyString(p)}: ${p}`)
        .join(', ')}})`,
    open: 'try:',
    openJoined: 'try:  # telemetry: joined body',
    close: ['except BaseException as __e: _tm.fail(__tel, __e); raise', 'finally: __tel and _tm.exit(__tel, __r)'],
    ret: ['(__r := (', '))'],
    // Before the return value moved to the exit probe (strip still removes these).
    legacy: [['_tm.ret(__tel, (', '))']],
    legacyClose: [['except BaseException as __e: _tm.fail(__tel, __e); raise', 'finally: __tel and _tm.exit(__tel)']],
    resume: ['_tm.resume(__tel, (', '))'],
    suspend: ['_tm.suspend(__tel, (', '))'],
    bareSuspend: ' _tm.suspend(__tel, None)',
  },
  deep: {
    containers: { block: '' },
    barriers: ['class_definition'],
    names: ['identifier'],
    patterns: { pattern_list: '*', tuple_pattern: '*', list_pattern: '*', list_splat_pattern: '*', tuple: '*', list: '*' },
    afterCompound: 'next-line',
    sep: '; ',
    handlePrefix: '__l',
    templates: {
      variable: (rel, name) => `__tel and _tm.var(__tel, ${rel}, ${pyString(name)}, ${name})`,
      redacted: (rel, name) => `__tel and _tm.var(__tel, ${rel}, ${pyString(name)})`,
      branch: (rel, label, condition) => `__tel and _tm.branch(__tel, ${rel}, ${pyString(label)}, ${condition === null ? 'None' : pyString(condition)})`,
      loop: (rel, handle, kind) => `${handle} = __tel and _tm.loop(__tel, ${rel}, ${pyString(kind)})`,
      tick: (handle) => `${handle} and ${handle}.tick()`,
      done: (handle) => `${handle} and ${handle}.done()`,
      exception: (rel, clause) => `__tel and _tm.${clause === 'finally' ? 'fin' : 'caught'}(__tel, ${rel})`,
    },
  },
};
