// Go: one guarded deferred call covers return, falling off the end and panics (Exit recovers, records
// and re-panics). The runtime is a package written into the user's module.
import type { LanguageSpec } from '../../src/languages/spec.js';

const goString = (s: string): string => JSON.stringify(s);

export const go: LanguageSpec = {
  id: 'go',
  extensions: ['.go'],
  grammar: 'node_modules/tree-sitter-go/tree-sitter-go.wasm',
  folder: 'server/languages/go',
  queries: ['server/languages/go/sites.scm'],
  lineComment: '//',
  style: 'defer',
  wrapAwait: false,
  // One package split by responsibility; telemetry.go, the public API, comes first.
  runtimeFiles: ['telemetry.go', 'deep.go', 'loops.go', 'switch.go', 'goroutines.go', 'ids.go', 'preview.go', 'sink.go'],
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
};
