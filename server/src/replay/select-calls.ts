// Chooses which captured calls become characterization tests, and says why each other call does
// not: only top-level functions called with arguments, whose argument and return previews are
// complete JSON literals (nothing truncated, redacted or unrepresentable), and whose captured
// outcomes agree (the same arguments never gave two different results). Calls that raised become
// cases expecting the same exception type.
// Must never read source files or run code (languages decide reachability), never keep a call
// whose preview it cannot reproduce exactly.
import type { CallForest } from '../trace/call-tree.js';

export type Outcome = { kind: 'returns'; json: string } | { kind: 'raises'; type: string } | { kind: 'completes' };

export interface Case {
  /** Argument names and their previews as JSON text, in the order the runtime recorded them. */
  args: [string, string][];
  outcome: Outcome;
}

export interface FunctionCases {
  name: string;
  file: string;
  line: number;
  cases: Case[];
}

export type SkipReason =
  | 'method or nested function'
  | 'no arguments'
  | 'no exit recorded'
  | 'no return value recorded'
  | 'truncated value'
  | 'redacted value'
  | 'unrepresentable value'
  | 'not a literal'
  | 'nondeterministic function'
  | 'not reachable from a test'
  | 'source not found'
  | 'language not selected';

export interface Selection {
  calls: number;
  functions: FunctionCases[];
  /** Identical calls (same arguments, same outcome) merged into one case. */
  duplicates: number;
  skipped: Map<SkipReason, number>;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** Why a preview cannot be a literal, or undefined when it parses as JSON (the preview syntax of plain values). */
export function literalProblem(preview: string): SkipReason | undefined {
  try {
    JSON.parse(preview);
    return undefined;
  } catch {
    if (preview.includes('<redacted>')) return 'redacted value';
    if (preview.includes('<unrepresentable')) return 'unrepresentable value';
    if (preview.endsWith('…') || /[[{]…[\]}]|, …[\]}]/.test(preview)) return 'truncated value';
    return 'not a literal';
  }
}

export interface SelectOptions {
  /** Whether the language's runtime records return values (Go's does not: its cases only check panics). */
  recordsReturns(file: string): boolean;
  /** A reason the function cannot be called from a test (not exported, not top-level, no source), or undefined. */
  reachable(file: string, name: string): SkipReason | undefined;
}

export function selectCalls(forest: CallForest, options: SelectOptions): Selection {
  const skipped = new Map<SkipReason, number>();
  const skip = (reason: SkipReason, n = 1) => skipped.set(reason, (skipped.get(reason) ?? 0) + n);
  const byFn = new Map<number, Map<string, { outcome: Outcome; args: [string, string][]; count: number }>>();
  const bad = new Map<number, SkipReason>();
  for (let i = 0; i < forest.size; i++) {
    const call = forest.call(i);
    const fn = forest.functions[call.fn]!;
    const reason = problem();
    if (reason) {
      skip(reason);
      continue;
    }
    function problem(): SkipReason | undefined {
      if (bad.has(call.fn)) return bad.get(call.fn);
      if (!IDENTIFIER.test(fn.name)) return 'method or nested function';
      const unreachable = options.reachable(fn.file, fn.name);
      if (unreachable) {
        bad.set(call.fn, unreachable);
        return unreachable;
      }
      if (Number.isNaN(call.duration) || call.noEntry) return 'no exit recorded';
      const args = Object.entries(call.args ?? {});
      if (args.length === 0) return 'no arguments';
      for (const [, value] of args) {
        const p = literalProblem(value);
        if (p) return p;
      }
      if (!call.error && call.ret === undefined && options.recordsReturns(fn.file)) return 'no return value recorded';
      if (!call.error && call.ret !== undefined) return literalProblem(call.ret);
      return undefined;
    }
    const args = Object.entries(call.args ?? {});
    const outcome: Outcome = call.error
      ? { kind: 'raises', type: call.error.type }
      : call.ret !== undefined
        ? { kind: 'returns', json: call.ret }
        : { kind: 'completes' };
    let cases = byFn.get(call.fn);
    if (!cases) byFn.set(call.fn, (cases = new Map()));
    const key = JSON.stringify(args);
    const seen = cases.get(key);
    if (!seen) cases.set(key, { outcome, args, count: 1 });
    else if (JSON.stringify(seen.outcome) === JSON.stringify(outcome)) seen.count++;
    else {
      // The same inputs gave two answers: the function reads something besides its arguments.
      bad.set(call.fn, 'nondeterministic function');
      skip('nondeterministic function');
    }
  }
  const functions: FunctionCases[] = [];
  let duplicates = 0;
  for (const [fn, cases] of byFn) {
    const calls = [...cases.values()].reduce((s, c) => s + c.count, 0);
    if (bad.get(fn) === 'nondeterministic function') {
      skip('nondeterministic function', calls);
      continue;
    }
    duplicates += calls - cases.size;
    const { name, file, line } = forest.functions[fn]!;
    functions.push({ name, file, line, cases: [...cases.values()].map(({ args, outcome }) => ({ args, outcome })) });
  }
  functions.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { calls: forest.size, functions, duplicates, skipped };
}
