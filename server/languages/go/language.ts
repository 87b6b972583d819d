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
  // gofmt -e parses; go vet type-checks and runs vet's default analyzers (a probe that copies a
  // lock, a wrong-typed argument). The runtime package lies in `telemetry/` beside the file, so
  // vet's go.mod names the module the file's `_tm` import is under (the original, without that
  // import, gets any name) at the local toolchain's version; offline: no proxy, no toolchain
  // download. vet's "# package" headers are dropped so the first error is the first line.
  compileChecks: [
    { name: 'gofmt', argv: ['gofmt', '-e', '{file}'] },
    {
      name: 'go vet',
      argv: [
        'sh', '-c',
        `m=$(sed -n 's/^\\(import\\)\\{0,1\\}[[:space:]]*_tm "\\(.*\\)\\/telemetry"$/\\2/p' "$1" | head -n 1); ` +
          `v=$(go env GOVERSION | sed -n 's/^go\\([0-9][0-9.]*\\).*/\\1/p'); ` +
          `printf 'module %s\\n\\ngo %s\\n' "\${m:-telemetry.check}" "\${v:-1.21}" > go.mod; ` +
          'export GOPROXY=off GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=mod GO111MODULE=on; ' +
          `out=$(go vet . 2>&1); s=$?; printf '%s\\n' "$out" | grep -v '^#' >&2; exit $s`,
        'go-vet-check', '{file}',
      ],
    },
  ],
  style: 'defer',
  wrapAwait: false,
  // One package split by responsibility; telemetry.go, the public API, comes first.
  runtimeFiles: ['telemetry.go', 'deep.go', 'loops.go', 'genai.go', 'sampling.go', 'otlp.go', 'otlp_span.go', 'otlp_http.go', 'otlp_nohttp.go', 'control.go', 'switch.go', 'goroutines.go', 'gid.go', 'gid_getg.go', 'gid_nogetg.go', 'getg_amd64.s', 'getg_arm64.s', 'ids.go', 'preview.go', 'sink.go', 'events.go', 'hardening.go', 'sockets.go'],
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
      // By reference where the value may hold a lock: go vet's copylocks reports a lock passed by
      // value, never `&x`, and VarRef's pointer does not escape, so `x` stays on the stack.
      variable: (rel, name, byRef) =>
        byRef ? `if _tm.On() { _tm.VarRef(${rel}, ${goString(name)}, &${name}) }` : `if _tm.On() { _tm.Var(${rel}, ${goString(name)}, ${name}) }`,
      redacted: (rel, name) => `if _tm.On() { _tm.Redacted(${rel}, ${goString(name)}) }`,
      branch: (rel, label, condition) => `if _tm.On() { _tm.Branch(${rel}, ${goString(label)}, ${goString(condition ?? '')}) }`,
      loop: (rel, handle, kind) => `${handle} := _tm.Loop(${rel}, ${goString(kind)})`,
      tick: (handle) => `${handle}.Tick()`,
      done: (handle) => `${handle}.Done()`,
      exception: (rel, _clause, binding) => `if _tm.On() { _tm.Caught(${rel}, ${binding}) }`,
    },
  },
};
