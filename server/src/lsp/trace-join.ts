// Joins the trace model's aggregates to a document's functions by function id, and decides what a
// lens says about each: figures from the latest run that covered the file, the previous run's for
// the change, "not reached", how long ago, and whether the function's text changed since the run.
//
// An aggregate (file, function_name, line) belongs to the function of that file (same workspace-
// relative path) with that qualified name; when several share the name (a `::2` id, another kind),
// to the one whose line is nearest the event's. An aggregate whose name no function has any more
// joins nothing: its function's lens disappears. "The latest run that covered a file" is the run
// (one generation of one event file) with events from that file that ended last; the previous run
// is the one before it in that order.
// Stale: the first time a run's figures are joined to a function, its text (blank space aside) is
// fingerprinted; once the text differs, the figures are stale. When the file on disk changed after
// the run ended, the server cannot know what ran, and the figures are stale from the start. When
// the function is called again after the file was last saved (a run appending to the same file),
// the text is fingerprinted again: the new calls ran the saved code.
// Must never read event files (TraceSources does) and never answer for a function id that does not exist.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { emptyAggregate, mergeAggregate, type FunctionAggregate } from '../trace/aggregate.js';
import type { FunctionSite } from '../engine/types.js';
import type { TraceRun, TraceSources } from './trace-sources.js';

export interface FunctionTrace {
  id: string;
  site: FunctionSite;
  /** The latest covering run's figures; undefined: not reached in it. */
  latest: FunctionAggregate | undefined;
  /** The previous covering run's figures for the same function, if it had any. */
  previous: FunctionAggregate | undefined;
  /** When the latest covering run ended (ns since the epoch). */
  endedNs: number;
  stale: boolean;
}

/** What the join needs of a document: where it is, its text and its functions with their ids. */
export interface JoinInput {
  uri: string;
  version: number;
  root: string;
  relPath: string;
  filePath: string;
  text: string;
  functions: readonly FunctionSite[];
  ids: readonly string[];
}

/** Joined documents remembered (a lens list and its resolves ask for the same document and version). */
const JOINS_KEPT = 32;

export class TraceJoin {
  /** `run key \0 id` -> the function's fingerprint (null when unknowable) and its last call then. */
  private readonly fingerprints = new Map<string, { hash: string | null; lastSeenNs: number }>();
  /** uri -> the last join, for that document version and that trace data. */
  private readonly recent = new Map<string, { key: string; traces: FunctionTrace[] }>();

  constructor(private readonly sources: TraceSources) {}

  /**
   * One entry per function that has figures in the latest covering run, or that carries probes and
   * was not reached in it. Empty when no run covered the file.
   */
  traces(doc: JoinInput): FunctionTrace[] {
    const key = `${doc.version}\0${this.sources.version}`;
    const hit = this.recent.get(doc.uri);
    if (hit?.key === key) return hit.traces;
    const traces = this.join(doc);
    this.recent.delete(doc.uri);
    this.recent.set(doc.uri, { key, traces });
    if (this.recent.size > JOINS_KEPT) this.recent.delete(this.recent.keys().next().value!);
    return traces;
  }

  /** The document closed: a reopened one starts again at version 1, perhaps with other text. */
  forget(uri: string): void {
    this.recent.delete(uri);
  }

  private join(doc: JoinInput): FunctionTrace[] {
    const covering = this.sources
      .runs(doc.root)
      .filter((run) => run.model.files.has(doc.relPath))
      .sort((a, b) => (b.model.endedNs ?? 0) - (a.model.endedNs ?? 0));
    const latestRun = covering[0];
    if (!latestRun) return [];
    const latest = joined(latestRun, doc);
    const previous = covering[1] ? joined(covering[1], doc) : new Map<string, FunctionAggregate>();
    const runKey = `${latestRun.source}#${latestRun.generation}`;
    const modifiedNs = mtimeNs(doc.filePath);
    const endedNs = latestRun.model.endedNs ?? 0;
    const out: FunctionTrace[] = [];
    doc.functions.forEach((site, i) => {
      const id = doc.ids[i]!;
      const fn = latest.get(id);
      if (!fn && !site.instrumented) return;
      const now = fingerprint(doc.text, site);
      const key = `${runKey}\0${id}`;
      const lastSeenNs = fn?.lastSeenNs ?? 0;
      const then = this.fingerprints.get(key);
      const calledSinceSaved = then !== undefined && lastSeenNs > then.lastSeenNs && (modifiedNs === null || modifiedNs <= lastSeenNs);
      if (!then || calledSinceSaved) {
        this.fingerprints.set(key, { hash: !then && modifiedNs !== null && modifiedNs > endedNs ? null : now, lastSeenNs });
      }
      out.push({ id, site, latest: fn, previous: previous.get(id), endedNs, stale: this.fingerprints.get(key)!.hash !== now });
    });
    return out;
  }
}

/** The run's aggregates of the document's file, merged per function id. */
function joined(run: TraceRun, doc: JoinInput): Map<string, FunctionAggregate> {
  const byId = new Map<string, FunctionAggregate>();
  for (const fn of run.model.functions.values()) {
    if (fn.file !== doc.relPath) continue;
    const at = owner(fn, doc.functions);
    if (at === -1) continue;
    const id = doc.ids[at]!;
    let merged = byId.get(id);
    if (!merged) byId.set(id, (merged = emptyAggregate(id, fn.name, fn.file, fn.line)));
    mergeAggregate(merged, fn);
  }
  return byId;
}

/** The index of the function an aggregate belongs to, or -1. */
export function owner(fn: { name: string; line: number | null }, functions: readonly FunctionSite[]): number {
  let best = -1;
  let distance = Infinity;
  functions.forEach((site, i) => {
    if (site.name !== fn.name) return;
    const d = fn.line === null ? 0 : Math.abs(site.line - fn.line);
    if (d < distance) {
      best = i;
      distance = d;
    }
  });
  return best;
}

function fingerprint(text: string, site: FunctionSite): string {
  return createHash('sha1').update(text.slice(site.range.start, site.range.end).replace(/\s+/g, '')).digest('base64');
}

function mtimeNs(file: string): number | null {
  try {
    return fs.statSync(file).mtimeMs * 1e6;
  } catch {
    return null;
  }
}
