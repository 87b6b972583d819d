// Go: one guarded deferred call covers return, falling off the end and panics (Exit recovers, records
// and re-panics). The runtime is a package written into the user's module.
import type { LanguageSpec } from '../../src/languages/spec.js';

// A Go string literal; a lone surrogate (never in valid UTF-8 source) becomes U+FFFD.
const goString = (s: string): string =>
  JSON.stringify(s.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));

export const go: LanguageSpec = {
  id: 'go',
  extensions: ['.go'],
  grammar: 'node_modules/tree-sitter-go/tree-sitter-go.wasm',
  folder: 'server/languages/go',
  queries: ['server/languages/go/sites.scm', 'server/languages/go/deep.scm'],
  scanQueries: ['server/languages/go/scan.scm', 'server/languages/go/deep.scm'],
  lineComment: '//',
  compileCheck: { argv: ['gofmt', '-e', '{file}'] },
  style: 'defer',
  wrapAwait: false,
  // One package split by responsibility; telemetry.go, the public API, comes first.
  runtimeFiles: ['telemetry.go', 'deep.go', 'loops.go', 'genai.go', 'sampling.go', 'otlp.go', 'otlp_http.go', 'otlp_nohttp.go', 'control.go', 'switch.go', 'goroutines.go', 'gid.go', 'gid_getg.go', 'gid_nogetg.go', 'getg_amd64.s', 'getg_arm64.s', 'ids.go', 'preview.go', 'sink.go', 'events.go', 'hardening.go', 'sockets.go'],
  runtimeSubdir: 'telemetry',
  templates: {
    importLine: (path) => `import _tm ${goString(path)}`,
    // Guarded so that, when off, a call pays one inlined flag check and boxes no arguments.
    entry: ({ name, relPath, line, params }) =>
      `if _tm.On() {\n\tdefer _tm.Exit(_tm.Enter(${goString(name)}, ${goString(relPath)}, ${line}${params
        .filter((p) => p !== '_')
        .map((p) => `, ${goString(p)}, ${p}`)
        .join('')}))\n}`,
    open: '',
    close: [],
    ret: ['', ''],
    resume: ['', ''],
    suspend: ['', ''],
    bareSuspend: '',
  },
  // Deep probes are guarded like the entry; a loop handle is nil when off, and its methods are nil-safe.
  deep: {
    containers: { statement_list: '' },
    barriers: [],
    names: ['identifier'],
    patterns: { expression_list: '*' },
    sep: '; ',
    handlePrefix: '__l',
    templates: {
      variable: (rel, name) => `if _tm.On() { _tm.Var(${rel}, ${goString(name)}, ${name}) }`,
      redacted: (rel, name) => `if _tm.On() { _tm.Redacted(${rel}, ${goString(name)}) }`,
      branch: (rel, label, condition) => `if _tm.On() { _tm.Branch(${rel}, ${goString(label)}, ${goString(condition ?? '')}) }`,
      loop: (rel, handle, kind) => `${handle} := _tm.Loop(${rel}, ${goString(kind)})`,
      tick: (handle) => `${handle}.Tick()`,
      done: (handle) => `${handle}.Done()`,
      exception: (rel, _clause, binding) => `if _tm.On() { _tm.Caught(${rel}, ${binding}) }`,
    },
  },
};
