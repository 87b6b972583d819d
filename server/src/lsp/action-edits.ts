// Owns what each telemetry action changes: one function or the whole file, add, ignore or strip,
// computed on one snapshot and turned into a WorkspaceEdit (runtime module included when needed).
// Shared by eager code actions, codeAction/resolve and workspace/executeCommand.
// Must never return an edit computed for any version but the snapshot's.
import type { WorkspaceEdit } from 'vscode-languageserver';
import type { AddResult } from '../engine/engine.js';
import { PROBE_KINDS, type EngineOptions, type FunctionSite, type ProbeKind, type TextChange } from '../engine/types.js';
import type { Selection } from '../pool/tasks.js';
import { lacksTelemetry, type Snapshot } from './analyzer.js';
import type { Session } from './session.js';
import { workspaceEdit } from './workspace-edit.js';
import type { RuntimeSetup } from './runtime-file.js';

const actionIds = ['add', 'ignore', 'addAll', 'remove', 'removeAll'] as const;
export type ActionId = (typeof actionIds)[number];
/** Actions on one function, named by `offset`. */
const singleFunction: readonly ActionId[] = ['add', 'ignore', 'remove'];

/** Carried by lazily resolved code actions: enough to recompute the edit, and to refuse a stale one. */
export interface ActionData {
  uri: string;
  version: number;
  action: ActionId;
  /** nameRange.start of the function, for single-function actions. */
  offset?: number;
  /**
   * For add actions: the probe kinds to add where missing, as the diagnostic's data required them
   * when the action was offered; the document's requirements when absent.
   */
  kinds?: ProbeKind[];
}

/** `llm`: the one function asked for needs the LLM (its template plan failed); `disabled` says so too. */
export type EditResult = { edit: WorkspaceEdit } | { disabled: string; llm?: boolean };

export function isActionData(value: unknown): value is ActionData {
  const data = value as Partial<ActionData> | null | undefined;
  return (
    typeof data?.uri === 'string' &&
    typeof data.version === 'number' &&
    actionIds.includes(data.action as ActionId) &&
    (data.kinds === undefined || (Array.isArray(data.kinds) && data.kinds.every((k) => PROBE_KINDS.includes(k))))
  );
}

/** Must run without awaiting anything: `snap.tree` is only valid until the next await. */
export function computeEdit(session: Session, snap: Snapshot, data: ActionData): EditResult {
  const { engine } = session;
  const site = snap.analysis.functions.find((f) => f.nameRange.start === data.offset);
  if (singleFunction.includes(data.action) && !site) return functionGone;
  const one = (f: FunctionSite) => f.nameRange.start === data.offset;
  switch (data.action) {
    case 'add':
    case 'addAll': {
      const setup = session.runtime.prepare(snap);
      if ('error' in setup) return { disabled: setup.error };
      const select = data.action === 'add' ? one : (f: FunctionSite) => lacksTelemetry(f, snap.requirements);
      const result = engine.add(snap.lang, snap.text, addOptions(snap, data, setup.options), select, snap.tree, { known: snap.analysis });
      return addEdit(session, snap, data, setup, result);
    }
    case 'ignore':
      return { edit: workspaceEdit(session.client, snap, engine.ignore(snap.lang, snap.text, site!)) };
    case 'remove':
    case 'removeAll': {
      const select = data.action === 'remove' ? one : undefined;
      return stripEdit(session, snap, engine.strip(snap.lang, snap.text, select, snap.tree).changes);
    }
  }
}

/**
 * computeEdit, with add actions planned and validated, and remove actions stripped, on the engine
 * pool (a worker parses the snapshot's text anew): the main thread only reads the snapshot and
 * builds the edit. Used by codeAction/resolve, eager code actions and workspace/executeCommand; an
 * edit whose document changed meanwhile is refused, never sent stale. Ignore is computed before any await.
 */
export async function computeEditOnPool(session: Session, snap: Snapshot, data: ActionData): Promise<EditResult> {
  if (singleFunction.includes(data.action) && !snap.analysis.functions.some((f) => f.nameRange.start === data.offset)) return functionGone;
  if (data.action === 'ignore') return computeEdit(session, snap, data);
  if (data.action === 'remove' || data.action === 'removeAll') return removeOnPool(session, snap, data);
  const setup = session.runtime.prepare(snap);
  if ('error' in setup) return { disabled: setup.error };
  const { kinds, functionTypes } = snap.requirements;
  const select: Selection = data.action === 'add' ? { offsets: [data.offset!] } : { lacking: { kinds, functionTypes } };
  const options = addOptions(snap, data, setup.options);
  let result: AddResult;
  try {
    result = await session.pool.run({ kind: 'add', lang: snap.lang, text: snap.text, options, select, analysis: snap.analysis });
  } catch (error) {
    return onMainThread(session, snap, data, error);
  }
  if (session.documents.get(snap.uri)?.version !== snap.version) return changedMeanwhile;
  return addEdit(session, snap, data, setup, result);
}

/**
 * Strip on the pool: the worker analyses the text itself (a strip needs the probes, which the
 * snapshot's analysis does not carry), which on argparse.py kept the main thread busy for tens of
 * milliseconds when done here.
 */
async function removeOnPool(session: Session, snap: Snapshot, data: ActionData): Promise<EditResult> {
  let changes: TextChange[];
  try {
    const select: Selection | undefined = data.action === 'remove' ? { offsets: [data.offset!] } : undefined;
    ({ changes } = await session.pool.run({ kind: 'strip', lang: snap.lang, text: snap.text, ...(select && { select }) }));
  } catch (error) {
    return onMainThread(session, snap, data, error);
  }
  if (session.documents.get(snap.uri)?.version !== snap.version) return changedMeanwhile;
  return stripEdit(session, snap, changes);
}

function stripEdit(session: Session, snap: Snapshot, changes: readonly TextChange[]): EditResult {
  return changes.length === 0 ? { disabled: 'There is no telemetry to remove' } : { edit: workspaceEdit(session.client, snap, changes) };
}

/**
 * The pool is there to keep the main thread free, not to decide: a worker that failed (recycled,
 * timed out) gives way to the same computation here.
 */
async function onMainThread(session: Session, snap: Snapshot, data: ActionData, error: unknown): Promise<EditResult> {
  session.logger.warn(`the edit failed on the pool, computing it on the main thread: ${error instanceof Error ? error.message : String(error)}`);
  // snap.tree may be gone since the await: the same version's snapshot holds a live one.
  const now = await session.analyzer.snapshot(snap.uri);
  return now?.version === snap.version ? computeEdit(session, now, data) : changedMeanwhile;
}

const functionGone: EditResult = { disabled: 'The function is no longer there' };
const changedMeanwhile: EditResult = { disabled: 'The document changed while the edit was computed; ask for code actions again' };

/** Only the required kinds: the engine adds those the selected functions lack, and nothing else. */
function addOptions(snap: Snapshot, data: ActionData, options: EngineOptions): EngineOptions {
  return { ...options, kinds: data.kinds ?? snap.requirements.kinds, redact: snap.requirements.redact };
}

function addEdit(session: Session, snap: Snapshot, data: ActionData, setup: RuntimeSetup, result: AddResult): EditResult {
  const { changes, skipped, needsLlm } = result;
  if (changes.length === 0) {
    const left = [...skipped, ...needsLlm.map((n) => ({ name: n.name, reason: `needs the LLM (${n.reason})` }))];
    const reasons = left.map((s) => `${s.name}: ${s.reason}`).join('; ');
    const llm = data.action === 'add' && needsLlm.some((n) => n.offset === data.offset);
    return { disabled: `No function could be instrumented${reasons ? ` (${reasons})` : ''}`, ...(llm && { llm }) };
  }
  const clientCreates = session.client.createFiles;
  if (!clientCreates && setup.missing.length > 0) {
    // Another action (an eager client's list is planned concurrently on the pool) may have written
    // the runtime since `setup` was read: look again, and write only what is still missing.
    const now = session.runtime.prepare(snap);
    if ('error' in now) return { disabled: now.error };
    if (now.missing.length > 0 && !session.runtime.write(now.missing)) return { disabled: 'The telemetry runtime could not be written' };
  }
  return { edit: workspaceEdit(session.client, snap, changes, clientCreates ? setup.missing : []) };
}
