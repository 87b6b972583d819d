// Owns the `missing-telemetry` diagnostics: what they say, and how an open document's reach the
// client, pulled (textDocument/diagnostic) or pushed (publishDiagnostics, debounced, stale results
// dropped by a generation counter, cleared on close; pulls answered `unchanged` against the result
// the client holds). A client gets one mode, never both. Files
// that are not open are delivered by workspace-diagnostics.ts, in the same mode.
// Must never publish diagnostics computed for an older version than the last one scheduled.
import {
  DiagnosticSeverity,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type PublishDiagnosticsParams,
  type Range,
} from 'vscode-languageserver';
import {
  DiagnosticSource,
  MissingTelemetryCode,
  MissingTelemetryHref,
  type MissingTelemetryData,
} from '../../../protocol/code-actions.js';
import type { Severity } from '../../../protocol/settings.js';
import { lackingKinds, lackMessage } from '../config/coverage-rule.js';
import { functionIds } from '../engine/function-id.js';
import type { FunctionSite, ProbeKind } from '../engine/types.js';
import { lacksTelemetry, type Analyzer, type Snapshot } from './analyzer.js';
import type { DocumentStore } from './documents.js';
import type { Logger } from './logger.js';

const severities: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

export function diagnosticFor(snap: Snapshot, site: FunctionSite, ids = idsOf(snap)): Diagnostic {
  const { requirements } = snap;
  const lacks = lackingKinds(site, requirements);
  const id = ids[(snap.analysis.functions as FunctionSite[]).indexOf(site)] ?? '';
  return missingTelemetry(snap.lines.rangeOf(site.nameRange), site.name, snap.settings.severity, { id, require: requirements.kinds, lacks });
}

/** The function ids of the snapshot's functions, in order. */
export function idsOf(snap: Snapshot): string[] {
  return functionIds(snap.relPath, snap.analysis.functions);
}

/** What a diagnostic says about its function. */
export interface MissingWhat {
  id: string;
  require: readonly ProbeKind[];
  lacks: readonly ProbeKind[];
}

/** The one shape of the diagnostic, for open documents and for files read from disk alike. */
export function missingTelemetry(range: Range, name: string, severity: Severity, what: MissingWhat): Diagnostic {
  const data: MissingTelemetryData = { id: what.id, require: [...what.require], lacks: [...what.lacks] };
  return {
    range,
    severity: severities[severity],
    source: DiagnosticSource,
    code: MissingTelemetryCode,
    codeDescription: { href: MissingTelemetryHref },
    message: lackMessage(name, what.lacks),
    data,
  };
}

export function diagnosticsOf(snap: Snapshot | undefined): Diagnostic[] {
  if (!snap) return [];
  const ids = idsOf(snap);
  return snap.analysis.functions.filter((f) => lacksTelemetry(f, snap.requirements)).map((f) => diagnosticFor(snap, f, ids));
}

/**
 * Cancellation is checked before and after the work: a cancelled pull is never answered with items.
 * A client that names the result it holds (`previousResultId`, as VS Code does) gets `unchanged`
 * when the items equal it: most keystrokes leave them as they were, and a full report of a large
 * file costs more to serialise and parse than to compute.
 */
export async function pullDiagnostics(
  analyzer: Analyzer,
  params: DocumentDiagnosticParams,
  token?: CancellationToken,
  also: MoreDiagnostics = () => [],
  results?: PullResults,
): Promise<DocumentDiagnosticReport> {
  if (token?.isCancellationRequested) throw requestCancelled();
  const uri = params.textDocument.uri;
  const snap = await analyzer.snapshot(uri);
  if (token?.isCancellationRequested) throw requestCancelled();
  const items = [...diagnosticsOf(snap), ...also(snap)];
  if (!results) return { kind: DocumentDiagnosticReportKind.Full, items };
  return results.report(uri, params.previousResultId, items);
}

/** The last full report sent per open document, so that a pull can answer `unchanged`. */
export class PullResults {
  private readonly held = new Map<string, { resultId: string; items: Diagnostic[] }>();
  private next = 0;

  report(uri: string, previousResultId: string | undefined, items: Diagnostic[]): DocumentDiagnosticReport {
    const held = this.held.get(uri);
    if (held && held.resultId === previousResultId && sameJson(held.items, items)) {
      return { kind: DocumentDiagnosticReportKind.Unchanged, resultId: held.resultId };
    }
    const resultId = String(++this.next);
    this.held.set(uri, { resultId, items });
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items };
  }

  forget(uri: string): void {
    this.held.delete(uri);
  }
}

/** Equality of plain JSON values (diagnostics), key order aside. */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = Object.keys(x);
  if (keys.length !== Object.keys(y).length) return false;
  for (const key of keys) if (!(key in y) || !sameJson(x[key], y[key])) return false;
  return true;
}

/** Diagnostics another feature adds to an open document's (the `traced` ones). */
export type MoreDiagnostics = (snap: Snapshot | undefined) => Diagnostic[];

export function requestCancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'the request was cancelled');
}

/**
 * Push mode: one pending publication per document; a newer schedule or a close makes older ones stale.
 * A debounced publication computes its diagnostics while it waits (on the next turn of the event
 * loop, if no newer change came first), so that the debounce, not the analysis, is what the client
 * waits for: the same work a pull client asks for after each change, done before the timer instead
 * of after it. The publication sends what was computed for its generation.
 */
export class PushDiagnostics {
  private readonly generations = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  /** uri -> the diagnostics computed ahead for a generation (dropped when it is sent or goes stale). */
  private readonly ready = new Map<string, { generation: number; params: Promise<PublishDiagnosticsParams | undefined> }>();

  constructor(
    private readonly connection: Connection,
    private readonly analyzer: Analyzer,
    private readonly documents: DocumentStore,
    private readonly logger: Logger,
    private readonly also: MoreDiagnostics = () => [],
    private readonly delayMs = 150,
  ) {}

  schedule(uri: string, delayMs = this.delayMs): void {
    const generation = this.bump(uri);
    if (delayMs > 0) setImmediate(() => this.prepare(uri, generation));
    this.timers.set(
      uri,
      setTimeout(() => {
        this.timers.delete(uri);
        this.publish(uri, generation).catch((error) => this.logger.error(`diagnostics for ${uri} failed: ${String(error)}`));
      }, delayMs),
    );
  }

  clear(uri: string): void {
    this.bump(uri);
    this.ready.delete(uri);
    void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    this.ready.clear();
  }

  private bump(uri: string): number {
    clearTimeout(this.timers.get(uri));
    const generation = (this.generations.get(uri) ?? 0) + 1;
    this.generations.set(uri, generation);
    return generation;
  }

  /** Computes the generation's diagnostics ahead of its timer, unless a newer change or a close came. */
  private prepare(uri: string, generation: number): void {
    if (this.generations.get(uri) !== generation || !this.timers.has(uri)) return;
    const params = this.compute(uri, generation);
    params.catch(() => undefined); // the publication reports it
    this.ready.set(uri, { generation, params });
  }

  private async publish(uri: string, generation: number): Promise<void> {
    const ahead = this.ready.get(uri);
    this.ready.delete(uri);
    const params = await (ahead?.generation === generation ? ahead.params : this.compute(uri, generation));
    if (!params || this.generations.get(uri) !== generation) return; // a newer change or a close won
    await this.connection.sendDiagnostics(params);
  }

  private async compute(uri: string, generation: number): Promise<PublishDiagnosticsParams | undefined> {
    const snap = await this.analyzer.snapshot(uri);
    if (this.generations.get(uri) !== generation) return undefined;
    // A skipped document still gets its (empty) diagnostics pinned to its version.
    const version = snap?.version ?? this.documents.get(uri)?.version;
    return { uri, version, diagnostics: [...diagnosticsOf(snap), ...this.also(snap)] };
  }
}
