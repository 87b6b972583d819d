// Owns the coverage arithmetic of `check`: each function's state, per-file and total counts, and
// the percentage (instrumented + ignored) / eligible, where broken and skipped sites are not
// eligible. Plain data in, plain data out.
// Must never read files or print.
import { functionState, type FunctionState } from '../engine/coverage.js';
import type { FunctionSite, LanguageId } from '../engine/types.js';
import { LineIndex } from '../text/positions.js';


export interface FunctionReport {
  name: string;
  /** 1-based; the column counts UTF-16 code units, as LSP positions do. */
  line: number;
  column: number;
  instrumented: boolean;
  ignored: boolean;
  /** Why the function cannot take a probe: not counted in coverage. */
  skip?: string;
  /** The function holds a parse error: not counted in coverage. */
  broken?: true;
}

export interface FileReport {
  path: string;
  language: LanguageId;
  functions: FunctionReport[];
  coverage: number;
}

export interface Totals {
  functions: number;
  instrumented: number;
  ignored: number;
  missing: number;
  skipped: number;
  broken: number;
  coverage: number;
}

export function fileReport(path: string, language: LanguageId, text: string, sites: readonly FunctionSite[]): FileReport {
  const lines = new LineIndex(text);
  const functions = sites.map((site): FunctionReport => {
    const at = lines.positionAt(site.nameRange.start);
    const report: FunctionReport = {
      name: site.name,
      line: at.line + 1,
      column: at.character + 1,
      instrumented: site.instrumented,
      ignored: site.ignored,
    };
    if (site.skip !== undefined) report.skip = site.skip;
    if (site.broken) report.broken = true;
    return report;
  });
  return { path, language, functions, coverage: totals([{ functions }]).coverage };
}

export function reportState(f: FunctionReport): FunctionState {
  return functionState({ ...f, broken: f.broken === true });
}

export function totals(files: readonly { functions: readonly FunctionReport[] }[]): Totals {
  const count: Record<FunctionState, number> = { instrumented: 0, ignored: 0, missing: 0, broken: 0, skipped: 0, 'not-required': 0 };
  let functions = 0;
  for (const file of files) {
    for (const f of file.functions) {
      count[reportState(f)]++;
      functions++;
    }
  }
  const covered = count.instrumented + count.ignored;
  const eligible = covered + count.missing;
  return { functions, ...count, coverage: eligible === 0 ? 100 : (100 * covered) / eligible };
}

/** Rounded down, so that 99.99% never reads as 100%. */
export function roundDown(value: number, decimals: number): number {
  const scale = 10 ** decimals;
  return Math.floor(value * scale + 1e-9) / scale;
}
