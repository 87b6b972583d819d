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
  /** Around a yield/await expression and around its operand, so context follows suspension. */
  resume: Wrap;
  suspend: Wrap;
  /** Inserted after a bare `yield` keyword. */
  bareSuspend: string;
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
  lineComment: string;
  style: BodyStyle;
  templates: Templates;
  /** Whether `await` needs suspend/resume probes (Python's contextvars follow tasks by themselves). */
  wrapAwait: boolean;
  /** Runtime files copied into the workspace; the first is the one the import names. */
  runtimeFiles: readonly string[];
  /** Folder holding runtime/ when another language's runtime is shared (TS uses JS's). */
  runtimeFolder?: string;
  /** Folder under runtimePath where the runtime goes (Go: a package folder). */
  runtimeSubdir?: string;
  /** Functions owning a `@super` capture are skipped with this reason (TS constructors). */
  superCallSkip?: string;
}
