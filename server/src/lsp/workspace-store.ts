// Owns what the server knows about files on disk, per file: coverage counts and the name and range
// of each function lacking telemetry, with a result id that changes whenever those change (pull
// clients send it back in previousResultIds). Holds no text and no tree, so memory grows with the
// number of functions, not with the size of the workspace.
// Must never decide what is scanned or when (the scanner writes), nor how it reaches a client.
import type { CoverageCounts } from '../../../protocol/coverage.js';
import type { Severity } from '../../../protocol/settings.js';
import { requirementState, type Requirement, type RuleSite } from '../config/coverage-rule.js';
import type { LanguageId, ProbeKind } from '../engine/types.js';
import type { Range } from '../text/positions.js';

export interface MissingFunction {
  name: string;
  /** The name's range, where the diagnostic goes. */
  range: Range;
  /** The required kinds it lacks, for the diagnostic's words. */
  lacks: ProbeKind[];
}

export interface FileEntry {
  uri: string;
  relPath: string;
  lang: LanguageId;
  severity: Severity;
  /** What the file's functions must carry (the diagnostics' data). */
  require: ProbeKind[];
  counts: CoverageCounts;
  missing: MissingFunction[];
  resultId: string;
}

export type CoverageSite = RuleSite;

export function coverageOf(functions: readonly CoverageSite[], requirement: Requirement): CoverageCounts {
  const counts = { functions: functions.length, instrumented: 0, ignored: 0, missing: 0, excluded: 0 };
  for (const f of functions) counts[stateOf(f, requirement)]++;
  return withPercentage(counts);
}

export function sumCoverage(list: readonly CoverageCounts[]): CoverageCounts {
  const sum = { functions: 0, instrumented: 0, ignored: 0, missing: 0, excluded: 0 };
  for (const c of list) {
    sum.functions += c.functions;
    sum.instrumented += c.instrumented;
    sum.ignored += c.ignored;
    sum.missing += c.missing;
    sum.excluded += c.excluded;
  }
  return withPercentage(sum);
}

export class WorkspaceStore {
  private readonly entries = new Map<string, FileEntry>();
  private nextResultId = 1;

  get size(): number {
    return this.entries.size;
  }

  get(uri: string): FileEntry | undefined {
    return this.entries.get(uri);
  }

  all(): FileEntry[] {
    return [...this.entries.values()];
  }

  uris(): string[] {
    return [...this.entries.keys()];
  }

  /** Stores the entry; true when its diagnostics changed (a new result id). */
  set(entry: Omit<FileEntry, 'resultId'>): boolean {
    const old = this.entries.get(entry.uri);
    const same =
      old !== undefined &&
      old.severity === entry.severity &&
      sameKinds(old.require, entry.require) &&
      sameMissing(old.missing, entry.missing);
    this.entries.set(entry.uri, { ...entry, resultId: same ? old.resultId : String(this.nextResultId++) });
    return !same;
  }

  /** True when there was an entry. */
  delete(uri: string): boolean {
    return this.entries.delete(uri);
  }

  /** A new result id: pull clients receive the file in full on their next workspace pull. */
  touch(uri: string): void {
    const entry = this.entries.get(uri);
    if (entry) entry.resultId = String(this.nextResultId++);
  }
}

type State = 'instrumented' | 'ignored' | 'missing' | 'excluded';

/** config/coverage-rule.ts's one rule, folded into what the coverage request counts. */
function stateOf(site: CoverageSite, requirement: Requirement): State {
  const state = requirementState(site, requirement);
  return state === 'broken' || state === 'skipped' || state === 'not-required' ? 'excluded' : state;
}

function withPercentage(counts: Omit<CoverageCounts, 'coverage'>): CoverageCounts {
  const covered = counts.instrumented + counts.ignored;
  const counted = covered + counts.missing;
  // Rounded down, so that 99.999% never reads as 100%.
  const coverage = counted === 0 ? 100 : Math.floor((10_000 * covered) / counted) / 100;
  return { ...counts, coverage };
}

function sameMissing(a: readonly MissingFunction[], b: readonly MissingFunction[]): boolean {
  return a.length === b.length && a.every((m, i) => m.name === b[i]!.name && sameKinds(m.lacks, b[i]!.lacks) && sameRange(m.range, b[i]!.range));
}

function sameKinds(a: readonly ProbeKind[], b: readonly ProbeKind[]): boolean {
  return a.length === b.length && a.every((kind, i) => kind === b[i]);
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character
  );
}
