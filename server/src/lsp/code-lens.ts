// Runtime figures in the editor: textDocument/codeLens (one lens per function with data, on its
// name), codeLens/resolve (the title, for clients that resolve lazily), textDocument/hover on a
// function's name (the breakdown), and the lens command telemetryInjector.showFunctionTrace.
// Must never read event files (TraceSources does), and never answer a lens for a function id the
// document no longer has.
import { ErrorCodes, ResponseError, type CodeLens, type CodeLensParams, type Hover, type HoverParams } from 'vscode-languageserver';
import { Commands, type FunctionTraceDetails } from '../../../protocol/commands.js';
import { functionIds } from '../engine/function-id.js';
import type { Snapshot } from './analyzer.js';
import type { Session } from './session.js';
import type { FunctionTrace } from './trace-join.js';
import { detailsText, hoverMarkdown, lensTitle } from './trace-format.js';

/** What a lens carries to codeLens/resolve. */
interface LensData {
  uri: string;
  id: string;
}

export async function provideCodeLenses(session: Session, params: CodeLensParams): Promise<CodeLens[]> {
  const snap = await session.analyzer.snapshot(params.textDocument.uri);
  if (!snap) return [];
  const now = Date.now();
  return tracesOf(session, snap).map((trace) => {
    const range = snap.lines.rangeOf(trace.site.nameRange);
    const data: LensData = { uri: snap.uri, id: trace.id };
    return session.client.codeLensResolve ? { range, data } : { range, command: command(trace, snap.uri, now) };
  });
}

export async function resolveCodeLens(session: Session, lens: CodeLens): Promise<CodeLens> {
  const data = lens.data as Partial<LensData> | undefined;
  if (typeof data?.uri !== 'string' || typeof data.id !== 'string') return lens;
  const snap = await session.analyzer.snapshot(data.uri);
  const trace = snap && tracesOf(session, snap).find((t) => t.id === data.id);
  // The function is gone since the lens was listed: a title that says so, and no command to run.
  lens.command = trace ? command(trace, data.uri, Date.now()) : { title: 'no runtime data', command: '' };
  return lens;
}

export async function provideHover(session: Session, params: HoverParams): Promise<Hover | null> {
  const snap = await session.analyzer.snapshot(params.textDocument.uri);
  if (!snap) return null;
  const offset = snap.lines.offsetAt(params.position);
  const trace = tracesOf(session, snap).find((t) => t.site.nameRange.start <= offset && offset <= t.site.nameRange.end);
  if (!trace) return null;
  return { contents: { kind: 'markdown', value: hoverMarkdown(trace, Date.now()) }, range: snap.lines.rangeOf(trace.site.nameRange) };
}

/** telemetryInjector.showFunctionTrace [functionId, uri]: the details, shown as a message and answered. */
export async function showFunctionTrace(session: Session, args: readonly unknown[]): Promise<FunctionTraceDetails> {
  const [id, uri] = args;
  if (typeof id !== 'string' || typeof uri !== 'string') {
    throw new ResponseError(ErrorCodes.InvalidParams, `${Commands.showFunctionTrace} takes [functionId, uri]`);
  }
  const snap = await session.analyzer.snapshot(uri);
  const trace = snap && tracesOf(session, snap).find((t) => t.id === id);
  if (!snap || !trace) throw new ResponseError(ErrorCodes.InvalidParams, `no runtime data for ${id} in ${uri}`);
  const message = detailsText(trace, Date.now());
  session.logger.show('info', message);
  return { id, message, locations: [{ uri, range: snap.lines.rangeOf(trace.site.range) }] };
}

function tracesOf(session: Session, snap: Snapshot): FunctionTrace[] {
  const functions = snap.analysis.functions;
  return session.traceJoin.traces({
    uri: snap.uri,
    version: snap.version,
    root: snap.root,
    relPath: snap.relPath,
    filePath: snap.filePath,
    text: snap.text,
    functions,
    ids: functionIds(snap.relPath, functions),
  });
}

function command(trace: FunctionTrace, uri: string, now: number) {
  return { title: lensTitle(trace, now), command: Commands.showFunctionTrace, arguments: [trace.id, uri] };
}
