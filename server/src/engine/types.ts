// Plain data shared by every engine step (sites -> coverage -> plan -> edits -> validate).
// Everything here is cloneable: no trees, no class instances, so it crosses worker boundaries.
// Offsets are UTF-16 code-unit offsets into the document text (what web-tree-sitter 0.25 reports).

export type LanguageId = 'python' | 'javascript' | 'typescript' | 'tsx' | 'go' | 'java' | 'rust';

/**
 * What a function's telemetry can cover: `function` is the entry/exit probe, the others are the
 * deep probes inside the body (variable changes, branches taken, loops, caught exceptions).
 */
export const PROBE_KINDS = ['function', 'variable', 'branch', 'loop', 'exception'] as const;
export type ProbeKind = (typeof PROBE_KINDS)[number];

/**
 * Names whose values are never previewed (case-insensitive): the default of the `redact` setting,
 * and of TELEMETRY_REDACT in every runtime.
 */
export const DEFAULT_REDACT = 'pass(word|wd|phrase)?|secret|token|(^|_)key$|api_?key|private_?key|credential|cookie|session';

export interface Span {
  start: number;
  end: number;
}

/** One function-like node that can take a probe. */
export interface FunctionSite {
  /** Display name: `f`, `Class.method`, `<anonymous>`. */
  name: string;
  /** Grammar node type, e.g. `function_definition`, `arrow_function`. */
  kind: string;
  /** Whole function, decorators and leading comments excluded. */
  range: Span;
  /** Where diagnostics point: the name, or the first token when anonymous. */
  nameRange: Span;
  /** The body node (block). */
  body: Span;
  /** Offset of the first line of the function (decorators included) for ignore comments. */
  headStart: number;
  params: string[];
  /** Already carries an entry probe. */
  instrumented: boolean;
  /**
   * Kinds this function has sites for but lacks probes at (`function` when it has no entry probe),
   * in PROBE_KINDS order. A function without loops never lacks `loop`.
   */
  missing: ProbeKind[];
  /** A `telemetry: ignore` comment applies. */
  ignored: boolean;
  /** The function or its body contains a parse error: never edited, never flagged. */
  broken: boolean;
  /** Why the action cannot instrument this function (never flagged); absent when it can. */
  skip?: string;
  isAsync: boolean;
  isGenerator: boolean;
  /** 1-based line of the function's name, recorded in events. */
  line: number;
}

/** One text insertion or deletion, in offsets of the text it was computed for. */
export interface TextChange {
  start: number;
  end: number;
  text: string;
}

export interface EngineOptions {
  /** Workspace-relative path written into events. */
  relPath: string;
  /** Module specifier or import path of the runtime as seen from this file. */
  runtimeImport: string;
  /** For JS/TS: use `import` (ESM or TS module) rather than `require`. */
  esm?: boolean;
  /**
   * Kinds add() inserts where missing; default all of PROBE_KINDS. Deep kinds bring `function`
   * along (their probes hang off the entry probe). An instrumented function gains only what it lacks.
   */
  kinds?: readonly ProbeKind[];
  /** Regex source (case-insensitive) of variable names never previewed; default DEFAULT_REDACT. */
  redact?: string;
  /** Report every selected function in `needsLlm` instead of planning it from the templates. */
  forceLlm?: boolean;
}

export interface FileAnalysis {
  language: LanguageId;
  functions: FunctionSite[];
  /** Parse error nodes in the whole file. */
  errorCount: number;
  /** The runtime import is already present. */
  hasImport: boolean;
}
