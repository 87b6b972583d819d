// What replay asks of each language: which source files are its, whether its runtime records return
// values, whether a function can be called from a test, and the test files for the chosen calls.
// Must never hold language knowledge itself: each language answers in server/languages/<lang>/replay.ts.
import type { FunctionCases, SkipReason } from './select-calls.js';

export interface GeneratedFile {
  /** Path relative to --out. */
  path: string;
  text: string;
  functions: number;
  cases: number;
}

export interface ReplayLanguage {
  id: 'python' | 'javascript' | 'go';
  /** Source files of this language, by name. */
  owns(file: string): boolean;
  recordsReturns: boolean;
  /** Why `name` in `source` (the file's text) cannot be called from a generated test, or undefined. */
  reachable(source: string, name: string, file: string): SkipReason | undefined;
  /** Which source files share one generated test file: per file, or per folder (a Go package). */
  group(abs: string): string;
  /** Test files for the functions of one group (`abs`: its first source file), written under `out`. */
  emit(abs: string, functions: FunctionCases[], out: string, root: string): GeneratedFile[];
}

/** Escapes text for a comment line in any of the three languages. */
export function commentSafe(text: string): string {
  return text.replace(/[\r\n]+/g, ' ').replace(/\*\//g, '* /');
}
