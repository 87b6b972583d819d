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
  /** Not counted: broken by a parse error, impossible to instrument, or bare and of a kind not in `requireKinds`. */
  excluded: number;
  /** (instrumented + ignored) / (instrumented + ignored + missing), in percent; 100 when nothing is counted. */
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

export namespace CoverageRequest {
  export const method = 'telemetry/coverage';
  /** Client -> server. Answered once a running workspace scan has finished; cancellable. */
  export const type = new RequestType<CoverageParams, CoverageResult, void>(method);
}
