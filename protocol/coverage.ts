// The custom `telemetry/coverage` request (client -> server): how many functions carry telemetry,
// for the whole workspace and per file. Files not open are counted as they are on disk (the
// workspace scan); open documents as they are in the editor.
// Must never change shape without a note in the top-level README: clients and CI scripts read it.
import { RequestType } from 'vscode-languageserver';

export interface CoverageParams {
  /** Only these documents (URIs); every scanned file and open document when absent. */
  uris?: string[];
}

export interface CoverageCounts {
  /** Every function found, counted or not. */
  functions: number;
  instrumented: number;
  /** Suppressed with a `telemetry: ignore` comment: counted as covered. */
  ignored: number;
  /** Required and without telemetry: one `missing-telemetry` diagnostic each. */
  missing: number;
  /** Not counted: broken + skipped + notRequired. */
  excluded: number;
  /** Not counted: the function holds a parse error. */
  broken: number;
  /** Not counted: the function cannot take a probe (an expression-bodied arrow, a stub…). */
  skipped: number;
  /** Not counted: nothing is required of it (`require = []`, or a kind not in `requireKinds`) and it has no telemetry. */
  notRequired: number;
  /**
   * (instrumented + ignored) / (instrumented + ignored + missing), in percent, rounded down to two
   * decimals (99.999 reads 99.99, never 100); 100 when nothing is counted.
   */
  coverage: number;
}

export interface FileCoverage extends CoverageCounts {
  uri: string;
  /** Relative to its workspace folder, with `/` separators. */
  path: string;
  language: string;
  /** The open document's version; null when the file was read from disk. */
  version: number | null;
}

export interface CoverageResult {
  total: CoverageCounts;
  /** Sorted by URI. */
  files: FileCoverage[];
}

/** One function of `check --format json` (1-based lines; columns count UTF-16 code units, as LSP does). */
export interface CheckFunction {
  /** The function id: `path::qualified.name::kind`, `::2`… for later namesakes; stable across edits above it. */
  id: string;
  name: string;
  /** Grammar node type, e.g. `function_definition`. */
  kind: string;
  /** Where its name starts and ends. */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  instrumented: boolean;
  ignored: boolean;
  /** The required probe kinds it lacks, in order; `function` when it has no entry probe. */
  missing: string[];
  /** Why it cannot take a probe: not counted. */
  skip?: string;
  /** It holds a parse error: not counted. */
  broken?: true;
  /** With --baseline: it lacks telemetry and the baseline lists it with (at least) those kinds, so it does not fail the run. */
  baselined?: true;
}

/** One file of `check --format json`. */
export interface CheckFile {
  /** As given to `check`, relative to the current folder when inside it. */
  path: string;
  language: string;
  /** The probe kinds its functions must carry. */
  require: string[];
  /** The team file that said so, if any. */
  teamFile?: string;
  functions: CheckFunction[];
  /** Equal to counts.coverage. */
  coverage: number;
  counts: CoverageCounts;
}

/** `telemetry-injector check --format json`: the same counts as `telemetry/coverage`, per file and in total. */
export interface CheckReport {
  files: CheckFile[];
  total: CoverageCounts;
  /** With --changed-since: the ref; only functions whose lines changed since it are listed and counted. */
  changedSince?: string;
  /** With --baseline: the file, and how many functions lacking telemetry it does not list (they fail the run). */
  baseline?: { file: string; new: number };
}

export namespace CoverageRequest {
  export const method = 'telemetry/coverage';
  /** Client -> server. Answered once a running workspace scan has finished; cancellable. */
  export const type = new RequestType<CoverageParams, CoverageResult, void>(method);
}
