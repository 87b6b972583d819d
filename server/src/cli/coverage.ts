// Owns the coverage arithmetic of `check`: each function's state, per-file and total counts, and
// the percentage (instrumented + ignored) / eligible, where broken and skipped sites are not
// eligible. Plain data in, plain data out.
// Must never read files or print.
import { lackingKinds, stateOf, type FunctionState, type Requirement } from '../config/coverage-rule.js';
import type { FunctionSite, LanguageId, ProbeKind } from '../engine/types.js';
import { LineIndex } from '../text/positions.js';

export interface FunctionReport {
  name: string;
  /** 1-based; the column counts UTF-16 code units, as LSP positions do. */
  line: number;
  column: number;
  instrumented: boolean;
  ignored: boolean;
  /** The required probe kinds it lacks, in PROBE_KINDS order; `function` when it has no entry probe. */
  missing: ProbeKind[];
  /** Why the function cannot take a probe: not counted in coverage. */
  skip?: string;
  /** The function holds a parse error: not counted in coverage. */
  broken?: true;
}

export interface FileReport {
  path: string;
  language: LanguageId;
  /** The probe kinds this file's functions must carry. */
  require: ProbeKind[];
  /** The team file that said so, if any. */
  teamFile?: string;
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

export interface ReportRequirement extends Requirement {
  kinds: ProbeKind[];
}

export function fileReport(
  path: string,
  language: LanguageId,
  text: string,
  sites: readonly FunctionSite[],
  requirement: ReportRequirement,
  teamFile?: string,
): FileReport {
  const lines = new LineIndex(text);
  const functions = sites.map((site): FunctionReport => {
    const at = lines.positionAt(site.nameRange.start);
    const report: FunctionReport = {
      name: site.name,
      line: at.line + 1,
      column: at.character + 1,
      instrumented: site.instrumented,
      ignored: site.ignored,
      missing: lackingKinds(site, requirement),
    };
    if (site.skip !== undefined) report.skip = site.skip;
    if (site.broken) report.broken = true;
    return report;
  });
  const report: FileReport = { path, language, require: requirement.kinds, functions, coverage: totals([{ functions }]).coverage };
  if (teamFile !== undefined) report.teamFile = teamFile;
  return report;
}

/** The coverage rule over a report: `missing` already holds what it lacks of what is required. */
export function reportState(f: FunctionReport): FunctionState {
  return stateOf({ ...f, broken: f.broken === true }, f.missing);
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
