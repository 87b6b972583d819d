// Owns the telemetry code actions: which ones apply at a range (context.only honoured by prefix),
// eager edits for clients without resolve support, lazy ones through codeAction/resolve.
// Must never resolve an action against a version other than the one it was offered for.
import {
  CancellationToken,
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
} from 'vscode-languageserver';
import {
  DiagnosticSource,
  FixAllKind,
  isMissingTelemetryData,
  MissingTelemetryCode,
  RemoveFromFileKind,
  TraceKind,
} from '../../../protocol/code-actions.js';
import { Commands } from '../../../protocol/commands.js';
import { PROBE_KINDS, type FunctionSite, type ProbeKind } from '../engine/types.js';
import { languageById } from '../languages/registry.js';
import { computeEditOnPool, isActionData, type ActionData, type ActionId } from './action-edits.js';
import { lacksTelemetry, type Snapshot } from './analyzer.js';
import { diagnosticFor, idsOf } from './diagnostics.js';
import type { Session } from './session.js';
import { traceKeyOf } from './traced-functions.js';

export const providedKinds = [CodeActionKind.QuickFix, CodeActionKind.RefactorRewrite, FixAllKind, RemoveFromFileKind, TraceKind];

interface Offer {
  title: string;
  kind: string;
  action: ActionId;
  site?: FunctionSite;
  diagnostic?: Diagnostic;
  /** Add actions: the kinds to add where missing. */
  kinds?: ProbeKind[];
  /** Add through the LLM (the language has no templates): a command, never an edit computed here. */
  llm?: boolean;
}

export async function provideCodeActions(
  session: Session,
  params: CodeActionParams,
  token?: CancellationToken,
): Promise<CodeAction[] | null> {
  const snap = await session.analyzer.snapshot(params.textDocument.uri);
  if (!snap || token?.isCancellationRequested) return null;
  const wanted = (kind: string) =>
    !params.context.only || params.context.only.some((only) => kind === only || kind.startsWith(`${only}.`));
  const offers = offersAt(snap, params).filter((offer) => wanted(offer.kind));
  const trace = wanted(TraceKind) ? traceAction(session, snap, params) : undefined;
  const made = await Promise.all(offers.map((offer) => (offer.llm ? llmAction(session, snap, offer) : finish(session, snap, offer))));
  return [...made.flat(), ...(trace ? [trace] : [])];
}

/** On an instrumented function: switch it on for 10 minutes, or off when the control file has it on now. */
function traceAction(session: Session, snap: Snapshot, params: CodeActionParams): CodeAction | undefined {
  const site = innermostInstrumented(snap, snap.lines.offsetAt(params.range.start));
  if (!site) return undefined;
  const traced = session.traced.tracing(snap, site);
  // Stopping takes out the entry that switched it on, a glob's included, as `trace --off <glob>` does.
  const key = traced?.key ?? traceKeyOf(snap, site);
  const title = traced ? `Stop tracing \`${site.name}\`` : `Trace \`${site.name}\` for 10 minutes`;
  const command = traced ? Commands.stopTracing : Commands.traceFunction;
  return { title, kind: TraceKind, command: { title, command, arguments: [snap.uri, key] } };
}

function innermostInstrumented(snap: Snapshot, offset: number): FunctionSite | undefined {
  return snap.analysis.functions
    .filter((f) => f.instrumented && f.range.start <= offset && offset <= f.range.end)
    .sort((a, b) => a.range.end - a.range.start - (b.range.end - b.range.start))[0];
}

export async function resolveCodeAction(session: Session, action: CodeAction, token?: CancellationToken): Promise<CodeAction> {
  if (!isActionData(action.data)) return action;
  const data = action.data;
  const snap = await session.analyzer.snapshot(data.uri);
  if (!snap || snap.version !== data.version) {
    const reason = 'The document changed since this action was offered; ask for code actions again';
    return { ...action, edit: undefined, ...disabled(session, reason) };
  }
  const result = await computeEditOnPool(session, snap, data);
  if ('llm' in result && result.llm && data.offset !== undefined) {
    // The template plan failed: the LLM proposes here, in resolve (with progress, cancellable).
    const made = await session.llm.edit(data.uri, data.version, data.offset, data.kinds, token ?? CancellationToken.None);
    return 'edit' in made ? { ...action, edit: made.edit } : { ...action, ...disabled(session, made.message) };
  }
  return 'edit' in result ? { ...action, edit: result.edit } : { ...action, ...disabled(session, result.disabled) };
}

function offersAt(snap: Snapshot, params: CodeActionParams): Offer[] {
  const start = snap.lines.offsetAt(params.range.start);
  const end = snap.lines.offsetAt(params.range.end);
  const ours = params.context.diagnostics.filter((d) => d.source === DiagnosticSource && d.code === MissingTelemetryCode);
  const functions = snap.analysis.functions;
  const lacking = functions.filter((f) => lacksTelemetry(f, snap.requirements));
  const offers: Offer[] = [];
  const ids = lacking.length > 0 ? idsOf(snap) : [];
  for (const site of lacking) {
    const range = snap.lines.rangeOf(site.nameRange);
    const sent = ours.find((d) => sameRange(d.range, range));
    if (!sent && (site.nameRange.start > end || site.nameRange.end < start)) continue;
    const diagnostic = sent ?? diagnosticFor(snap, site, ids);
    const kinds = requiredBy(diagnostic) ?? snap.requirements.kinds;
    const llm = !languageById(snap.lang).templates;
    offers.push(
      { title: `Add telemetry to \`${site.name}\``, kind: CodeActionKind.QuickFix, action: 'add', site, diagnostic, kinds, llm },
      { title: `Ignore \`${site.name}\` for telemetry`, kind: CodeActionKind.QuickFix, action: 'ignore', site, diagnostic },
    );
  }
  const innermost = innermostInstrumented(snap, start);
  if (innermost) {
    const title = `Remove telemetry from \`${innermost.name}\``;
    offers.push({ title, kind: CodeActionKind.RefactorRewrite, action: 'remove', site: innermost });
  }
  if (lacking.length > 0) {
    offers.push({ title: 'Add telemetry to all functions in file', kind: FixAllKind, action: 'addAll', kinds: snap.requirements.kinds });
  }
  if (snap.analysis.hasImport || functions.some((f) => f.instrumented)) {
    offers.push({ title: 'Remove telemetry from file', kind: RemoveFromFileKind, action: 'removeAll' });
  }
  return offers;
}

/** The offer as a CodeAction: lazy (data only) or eager (edit computed now); [] when unusable and not showable. */
async function finish(session: Session, snap: Snapshot, offer: Offer): Promise<CodeAction[]> {
  const data: ActionData = { uri: snap.uri, version: snap.version, action: offer.action, offset: offer.site?.nameRange.start };
  if (offer.kinds) data.kinds = offer.kinds;
  const action: CodeAction = { title: offer.title, kind: offer.kind };
  if (offer.diagnostic) action.diagnostics = [offer.diagnostic];
  if (offer.action === 'add') action.isPreferred = true;
  // Eager edits are planned on the pool too; anything read from snap.tree is read before the first await.
  const result = session.client.resolveEdit ? lazily(session, snap, data) : await computeEditOnPool(session, snap, data);
  // Computed now (an eager client): a function whose template plan failed goes to the LLM's command.
  if ('llm' in result && result.llm) return llmAction(session, snap, offer);
  if ('data' in result) return [{ ...action, data: result.data }];
  if ('edit' in result) return [{ ...action, edit: result.edit }];
  return session.client.disabledActions ? [{ ...action, disabled: { reason: result.disabled } }] : [];
}

/**
 * "Add telemetry" for a function only the LLM can instrument: a command that runs it (with progress,
 * cancellable), titled with the model; when the LLM is not configured, the action says why.
 */
async function llmAction(session: Session, snap: Snapshot, offer: Offer): Promise<CodeAction[]> {
  const described = await session.llm.describe();
  const title = 'model' in described ? `${offer.title} (${described.model})` : `${offer.title} (needs an LLM)`;
  const action: CodeAction = { title, kind: offer.kind, isPreferred: true, ...(offer.diagnostic && { diagnostics: [offer.diagnostic] }) };
  if ('reason' in described && session.client.disabledActions) return [{ ...action, disabled: { reason: `The LLM is not configured: ${described.reason}` } }];
  const args = [snap.uri, snap.version, offer.site!.nameRange.start, offer.kinds ?? snap.requirements.kinds];
  return [{ ...action, command: { title, command: Commands.addWithLlm, arguments: args } }];
}

/** Lazy "add" actions still check the runtime now, so that an unusable one is never offered as usable. */
function lazily(session: Session, snap: Snapshot, data: ActionData): { data: ActionData } | { disabled: string } {
  if (data.action === 'add' || data.action === 'addAll') {
    const setup = session.runtime.prepare(snap);
    if ('error' in setup) return { disabled: setup.error };
  }
  return { data };
}

function disabled(session: Session, reason: string): Pick<CodeAction, 'disabled'> {
  return session.client.disabledActions ? { disabled: { reason } } : {};
}

/** The kinds the diagnostic says are required, when it carries our data (clients with dataSupport send it back). */
function requiredBy(diagnostic: Diagnostic): ProbeKind[] | undefined {
  if (!isMissingTelemetryData(diagnostic.data)) return undefined;
  const required = diagnostic.data.require;
  return PROBE_KINDS.filter((kind) => required.includes(kind));
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}
