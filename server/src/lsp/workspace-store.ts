// Owns what the server knows about files on disk, per file: the facts of each function (id, name
// range, kind, what it has and lacks, which no requirement changes) and, derived from them with the
// file's requirements, the coverage counts and the functions lacking telemetry, with a result id
// that changes whenever those change (pull clients send it back in previousResultIds). Because the
// facts stay, new requirements (settings, team files) are applied again without reading a file.
// Holds no text and no tree, so memory grows with the number of functions, not the workspace's size.
// Must never decide what is scanned or when (the scanner writes), nor how it reaches a client.
import type { CoverageCounts } from '../../../protocol/coverage.js';
import type { Severity } from '../../../protocol/settings.js';
import { countStates, lackingKinds, requirementState, stateOf, type Requirement, type RuleSite } from '../config/coverage-rule.js';
import type { LanguageId, ProbeKind } from '../engine/types.js';
import type { Range } from '../text/positions.js';

/** One function as read from disk: what any requirement is applied to. */
export interface FunctionFacts extends RuleSite {
  /** The function id (engine/function-id.ts). */
  id: string;
  name: string;
  /** The name's range, where the diagnostic goes. */
  range: Range;
}

export interface MissingFunction {
  id: string;
  name: string;
  range: Range;
  /** The required kinds it lacks, for the diagnostic's words. */
  lacks: ProbeKind[];
}

/** A file as read from disk, and where it is. */
export interface FileFacts {
  uri: string;
  filePath: string;
  /** The workspace folder it was scanned under. */
  root: string;
  relPath: string;
  lang: LanguageId;
  functions: FunctionFacts[];
}

/** What the file's current requirements and settings make of it. */
export interface FileEntry extends FileFacts {
  severity: Severity;
  /** What the file's functions must carry (the diagnostics' data). */
  require: ProbeKind[];
  counts: CoverageCounts;
  missing: MissingFunction[];
  resultId: string;
}

export type CoverageSite = RuleSite;

export interface AppliedRequirements extends Requirement {
  kinds: ProbeKind[];
}

/** The facts judged by `requirements`: counts and the functions that lack telemetry. */
export function judge(facts: FileFacts, requirements: AppliedRequirements, severity: Severity): Omit<FileEntry, 'resultId'> {
  const missing = facts.functions.flatMap(({ id, name, range, ...site }) => {
    const lacks = lackingKinds(site, requirements);
    return stateOf(site, lacks) === 'missing' ? [{ id, name, range, lacks }] : [];
  });
  return { ...facts, severity, require: requirements.kinds, counts: coverageOf(facts.functions, requirements), missing };
}

export function coverageOf(functions: readonly CoverageSite[], requirement: Requirement): CoverageCounts {
  return countStates(functions.map((f) => requirementState(f, requirement)));
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

function sameMissing(a: readonly MissingFunction[], b: readonly MissingFunction[]): boolean {
  return a.length === b.length && a.every((m, i) => m.id === b[i]!.id && sameKinds(m.lacks, b[i]!.lacks) && sameRange(m.range, b[i]!.range));
}

function sameKinds(a: readonly ProbeKind[], b: readonly ProbeKind[]): boolean {
  return a.length === b.length && a.every((kind, i) => kind === b[i]);
}

function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character
  );
}
