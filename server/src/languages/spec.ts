// The shape of a language folder's descriptor (server/languages/<id>/language.ts).
// Descriptors are data plus string templates; the engine never branches on a language id.
import type { LanguageId } from '../engine/types.js';

/**
 * How the body of a function is wrapped so that every exit path reaches the exit probe:
 * - `indent`: entry line, `try:`, the body indented one level, then except/finally lines (Python);
 * - `brace`: entry and `try {` after the opening brace, `} catch … finally …` before the closing one (JS/TS);
 * - `defer`: one deferred call after the opening brace (Go).
 */
export type BodyStyle = 'indent' | 'brace' | 'defer';

/** A wrap around an expression: `prefix` + original + `suffix`. */
export type Wrap = readonly [prefix: string, suffix: string];

export interface EntryInput {
  name: string;
  relPath: string;
  line: number;
  params: readonly string[];
}

export interface Templates {
  /** The runtime import statement, one line without line break. */
  importLine(runtimeImport: string, esm: boolean): string;
  /**
   * The entry probe without indentation. Lines after the first are indented from the body's
   * indentation, or joined with spaces when the body sits on one line.
   */
  entry(input: EntryInput): string;
  /** `indent`: the `try:` line; `brace`: appended to the entry line. */
  open: string;
  /** `indent`: the same when the body sat on the header line (restored by strip). */
  openJoined?: string;
  /** `indent`: lines after the body; `brace`: the text before the closing brace. */
  close: readonly string[];
  /** Return values: `return <prefix>value<suffix>`. */
  ret: Wrap;
  /**
   * Return values of a function whose return type is written, where a type checker needs another
   * form than `ret` (TS): `typed`; in an async function `typedAwaited` for a value that is an
   * await expression, `typed` for any other (default `typed`).
   */
  retBy?: { typed?: Wrap; typedAwaited?: Wrap };
  /** Around a yield/await expression and around its operand, so context follows suspension. */
  resume: Wrap;
  /** Around a yield whose value is unused (an expression statement); default `resume`. */
  resumeUnused?: Wrap;
  suspend: Wrap;
  /** Wraps earlier versions inserted: strip still removes them (the planner no longer writes them). */
  legacy?: readonly Wrap[];
  /** `close` lines earlier versions inserted, which strip still removes. */
  legacyClose?: readonly (readonly string[])[];
  /** Inserted after a bare `yield` keyword. */
  bareSuspend: string;
}

/** Deep probe statements, without indentation or separators (see server/src/engine/deep.ts). */
export interface DeepTemplates {
  /**
   * `byRef`: the site was captured `@var.after.ref` (its value may hold something the language's
   * checkers forbid copying, such as a Go lock); the template passes the variable by reference.
   */
  variable(rel: number, name: string, byRef?: boolean): string;
  /** A variable whose value is never previewed. */
  redacted(rel: number, name: string): string;
  branch(rel: number, label: string, condition: string | null): string;
  loop(rel: number, handle: string, kind: string): string;
  tick(handle: string): string;
  done(handle: string): string;
  exception(rel: number, clause: string, binding: string | undefined): string;
}

/** What the engine needs to place deep probes: data about the grammar, plus the templates. */
export interface DeepSpec {
  /** Node types whose named children are statements, with the token their statements follow ('' none). */
  containers: Readonly<Record<string, string>>;
  /** Node types inside a function whose statements are not the function's own (class bodies). */
  barriers: readonly string[];
  /** Node types that are a bound name. */
  names: readonly string[];
  /** Destructuring nodes: which fields hold further targets (`*`: every named child). */
  patterns: Readonly<Record<string, '*' | readonly string[]>>;
  /** `next-line`: a probe after a compound statement opens the next line (Python); simple ones join with `sep`. */
  afterCompound?: 'next-line';
  /** A probe joined after a statement needs the statement to end with this (JS: `;`). */
  inlineAfterNeedsTerminator?: string;
  /**
   * Comments that govern the next line of code (`// @ts-expect-error`): a probe line placed before
   * a statement goes above the comment lines right above it when one of them matches.
   */
  nextLineDirective?: RegExp;
  /** Joins an inline probe to its neighbour statement. */
  sep: string;
  /** Loop handles are this prefix plus a number unique in the function. */
  handlePrefix: string;
  templates: DeepTemplates;
}

/**
 * The probe forms of a language without templates, exactly as the runtime API asks a model to write
 * them: strip removes nothing that does not match this text.
 */
export interface ProbeForms {
  /** `brace` style: the text from the wrapped body's closing brace to the end of the try statement. */
  close?: string;
  /** Wraps around an expression (return values, `?` operands): prefix + original + suffix. */
  wraps: readonly Wrap[];
}

/** What an LLM prompt carries about a language's runtime: data, not code. */
export interface RuntimeApi {
  /** The runtime as probes name it (`_tm.Telemetry`, `crate::telemetry_runtime`), reserved like `__tel`. */
  path: string;
  /** The functions under `path` a probe may call; nothing else is the runtime's API. */
  calls: readonly string[];
  /** One paragraph: what the runtime is and where it lives in the user's project. */
  summary: string;
  /** The exact probe forms, one per kind. */
  forms: { entry: string; return: string; error: string; exit: string };
  /** A whole function before and after, byte for byte what a correct answer looks like. */
  example: { before: string; after: string };
  /** Rules the validator enforces, stated for the model. */
  rules: readonly string[];
}

/**
 * A compiler run on an instrumented file, as data. Placeholders in `argv`: `{file}` the instrumented
 * file in a temporary folder with the runtime files copied beside it, `{dir}` that folder, `{out}`
 * an empty output folder, and `{runtime...}` (a whole argument) the runtime files' paths.
 * The check passes when the command exits 0.
 */
export interface CompileCheck {
  /** What validations and "not run" reasons call it (`tsc`, `go vet`). */
  name: string;
  argv: readonly string[];
  /**
   * A folder looked for in the file's own folder and each folder above it, searched for `argv[0]`
   * before PATH: a project's own tools (`node_modules/.bin`), never a global one first.
   */
  localBin?: string;
  /**
   * Names looked for the same way and linked into the temporary folder's root, so the lone file
   * resolves what it did in its project (`node_modules`: packages and the project's `@types`).
   */
  linked?: readonly string[];
}

export interface LanguageSpec {
  id: LanguageId;
  extensions: readonly string[];
  /** Grammar .wasm, relative to the package root. */
  grammar: string;
  /** This language's folder, relative to the package root (holds runtime/). */
  folder: string;
  /** Query files, relative to the package root, concatenated into the sites query. */
  queries: readonly string[];
  /**
   * The light scan's query files (workspace scans, `check`): functions, names, probe markers,
   * ignore comments and deep sites, without what only planning needs; the same coverage as `queries`.
   */
  scanQueries: readonly string[];
  lineComment: string;
  /**
   * A comment that documents the statement below it (JSDoc, which checkJs reads types from): the
   * runtime import goes above it rather than between them.
   */
  docComment?: RegExp;
  /**
   * The terminator that ends a module prologue statement (JS: the `;` of `"use strict";`) after
   * which the runtime import joins the prologue's last line when another statement follows on it.
   * Minified bundles hold the whole program on that line, and code there may call a probed function
   * before an import on the next line has run. Absent: the import goes on the line after (Python,
   * where nothing on a `from __future__` line can define a function).
   */
  importJoinsPrologue?: string;
  style: BodyStyle;
  /** Absent: the language has no templates and is instrumented by LLM proposals (Java, Rust). */
  templates?: Templates;
  /** Probes an LLM writes, as strip recognises them (languages without templates). */
  probeForms?: ProbeForms;
  /** The runtime's API as the LLM prompt describes it (languages without templates). */
  runtimeApi?: RuntimeApi;
  /** How to check that an instrumented file compiles, cheapest first (see CompileCheck). */
  compileChecks?: readonly CompileCheck[];
  /** Whether `await` needs suspend/resume probes (Python's contextvars follow tasks by themselves). */
  wrapAwait: boolean;
  /** Runtime files copied into the workspace; the first is the one the import names. */
  runtimeFiles: readonly string[];
  /** Folder holding runtime/ when another language's runtime is shared (TS uses JS's). */
  runtimeFolder?: string;
  /** Folder under runtimePath where the runtime goes (Go: a package folder). */
  runtimeSubdir?: string;
  /**
   * Node types written as siblings right before a function that belong to its head (Rust's
   * `attribute_item`): a suppression comment goes above them.
   */
  headSiblings?: readonly string[];
  /** Functions owning a `@super` capture are skipped with this reason (TS constructors, Rust const fns). */
  superCallSkip?: string;
  /**
   * Generators without a written return type (no `@return.type` capture) that use a yield's value
   * (a `@yield` that is neither `@yield.unused` nor `yield*`) are skipped with this reason (TS: no wrap keeps the
   * yield's contextual type, so noImplicitAny would reject it).
   */
  usedYieldSkip?: string;
  /**
   * Returned values of these node types are not wrapped whole: the values in these fields are,
   * each split again (TS: each branch of `c ? a : b` gets the context the conditional has, which
   * a generic wrap around the whole does not pass on to a call inside).
   */
  splitReturns?: Readonly<Record<string, readonly string[]>>;
  /**
   * Node types whose parameters are not a function's own (TS function types and signatures): a
   * `@param` inside one is dropped.
   */
  paramFences?: readonly string[];
  /** Deep probes (variables, branches, loops, exceptions); absent: entry and exit only. */
  deep?: DeepSpec;
}
