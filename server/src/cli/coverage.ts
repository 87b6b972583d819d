// Owns `check`'s per-file report: each function with its id, name range, state and the kinds it
// lacks (protocol/coverage.ts's CheckFunction), and the counts of config/coverage-rule.ts over them,
// the same counts `telemetry/coverage` answers. Plain data in, plain data out.
// Must never read files or print, and never count coverage itself (coverage-rule.ts does).
import type { CheckFile, CheckFunction, CoverageCounts } from '../../../protocol/coverage.js';
import { countStates, lackingKinds, stateOf, type FunctionState, type Requirement } from '../config/coverage-rule.js';
import { functionIds } from '../engine/function-id.js';
import type { FunctionSite, LanguageId, ProbeKind } from '../engine/types.js';
import { LineIndex } from '../text/positions.js';

export interface FunctionReport extends CheckFunction {
  missing: ProbeKind[];
}

export interface FileReport extends CheckFile {
  language: LanguageId;
  require: ProbeKind[];
  functions: FunctionReport[];
}

export interface ReportRequirement extends Requirement {
  kinds: ProbeKind[];
}

/** Where the file is: `display` for people, `relPath` (under the root, `/`-separated) for function ids. */
export interface ReportPlace {
  display: string;
  relPath: string;
}

export function fileReport(
  place: ReportPlace,
  language: LanguageId,
  text: string,
  sites: readonly FunctionSite[],
  requirement: ReportRequirement,
  teamFile?: string,
): FileReport {
  const lines = new LineIndex(text);
  const ids = functionIds(place.relPath, sites);
  const functions = sites.map((site, i): FunctionReport => {
    const { start, end } = lines.rangeOf(site.nameRange);
    const report: FunctionReport = {
      id: ids[i]!,
      name: site.name,
      kind: site.kind,
      line: start.line + 1,
      column: start.character + 1,
      endLine: end.line + 1,
      endColumn: end.character + 1,
      instrumented: site.instrumented,
      ignored: site.ignored,
      missing: lackingKinds(site, requirement),
    };
    if (site.skip !== undefined) report.skip = site.skip;
    if (site.broken) report.broken = true;
    return report;
  });
  return withCounts({ path: place.display, language, require: requirement.kinds, ...(teamFile !== undefined && { teamFile }), functions });
}

/** The report's counts (and coverage) from its functions: after filtering them, call it again. */
export function withCounts(report: Omit<FileReport, 'counts' | 'coverage'>): FileReport {
  const counts = countStates(report.functions.map(reportState));
  return { ...report, coverage: counts.coverage, counts };
}

/** The coverage rule over a report: `missing` already holds what it lacks of what is required. */
export function reportState(f: FunctionReport): FunctionState {
  return stateOf({ ...f, broken: f.broken === true }, f.missing);
}

export function totals(files: readonly { functions: readonly FunctionReport[] }[]): CoverageCounts {
  return countStates(files.flatMap((file) => file.functions.map(reportState)));
}
