// The tasks the engine pool runs and what each one answers: plain, structured-cloneable data only.
// Must never carry a tree, a class instance or a function: everything here crosses a thread boundary.
import { requirementState, type Requirement } from '../config/coverage-rule.js';
import type { AddResult, StripOutcome } from '../engine/engine.js';
import type { Analysis } from '../engine/sites.js';
import type { EngineOptions, FileAnalysis, FunctionSite, LanguageId } from '../engine/types.js';
import type { Range } from '../text/positions.js';
import type { LimitNames } from '../workspace/file-filter.js';

/** Which functions an add or strip touches, as data (a predicate cannot cross threads). All when absent. */
export interface Selection {
  /** `nameRange.start` of each selected function. */
  offsets?: number[];
  /** Grammar node types; `*` means every kind. */
  kinds?: string[];
  /** Only functions that lack some of these required probe kinds (the coverage rule's `missing`). */
  lacking?: Requirement;
}

export interface AnalyzeTask {
  kind: 'analyze';
  lang: LanguageId;
  text: string;
}

/** The light scan (Engine.scan): the same coverage as analyze, functions without params. */
export interface ScanTask {
  kind: 'scan';
  lang: LanguageId;
  text: string;
}

export interface AddTask {
  kind: 'add';
  lang: LanguageId;
  text: string;
  options: EngineOptions;
  select?: Selection;
  /** The analysis of `text` when the caller has it (an open document's): the worker skips its own. */
  analysis?: Analysis;
}

export interface StripTask {
  kind: 'strip';
  lang: LanguageId;
  text: string;
  select?: Selection;
}

/** Reads a file from disk in the worker and answers its functions, never its text. */
export interface SummarizeTask {
  kind: 'summarize';
  filePath: string;
  lang: LanguageId;
  maxFileSize: number;
  /** How the user names the limits, for skip reasons. */
  names: LimitNames;
}

export type Task = AnalyzeTask | ScanTask | AddTask | StripTask | SummarizeTask;
export type TaskKind = Task['kind'];
export type TaskOf<K extends TaskKind> = Extract<Task, { kind: K }>;

/** One function of a summarized file: what coverage and diagnostics need, with an LSP range. */
export interface FunctionSummary extends Pick<FunctionSite, 'name' | 'kind' | 'instrumented' | 'ignored' | 'broken' | 'skip' | 'missing'> {
  /** The name's range (UTF-16 LSP positions). */
  range: Range;
}

export type FileSummary =
  | { functions: FunctionSummary[]; errorCount: number; hasImport: boolean }
  /** Left alone: too large, binary, not UTF-8. */
  | { skipped: string };

export interface TaskResults {
  analyze: FileAnalysis;
  scan: FileAnalysis;
  add: AddResult;
  strip: StripOutcome;
  summarize: FileSummary;
}

/** What a worker posts back: a failing task is an answer, not a crash (crashes are retried, failures are not). */
export type Reply<K extends TaskKind = TaskKind> = ({ ok: true; value: TaskResults[K] } | { ok: false; error: string }) & {
  /** How much the worker holds once the task is done, for recycling (pool.ts). */
  worker?: WorkerLoad;
};

/** What a worker has done and holds: tasks answered, and its tree-sitter WebAssembly memory. */
export interface WorkerLoad {
  tasks: number;
  wasmBytes: number;
}

export function selects(select: Selection | undefined): (f: FunctionSite) => boolean {
  if (!select) return () => true;
  const offsets = select.offsets && new Set(select.offsets);
  const kinds = select.kinds && new Set(select.kinds);
  const { lacking } = select;
  return (f) =>
    (!offsets || offsets.has(f.nameRange.start)) &&
    (!kinds || kinds.has('*') || kinds.has(f.kind)) &&
    (!lacking || requirementState(f, lacking) === 'missing');
}

/** For messages: what a task was about, without its text. */
export function describeTask(task: Task): string {
  return task.kind === 'summarize' ? `${task.kind} ${task.filePath}` : `${task.kind} (${task.lang}, ${task.text.length} chars)`;
}
