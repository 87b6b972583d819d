// Runs edit cases against the real server over stdio and checks that the diagnostics for a text
// never depend on the edits that led to it. Two servers share one workspace: `edited` receives the
// case's changes; `fresh` opens each text it is compared against anew, under the same file name
// (the name is part of the probes). Because the
// server's own text cannot be asked for, its copy is checked through what it computes from it:
// diagnostics, and the fixAll edit, against a fresh parse of the client's text.
// A failure names the seed and a shrunk case that still fails.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Diagnostic, WorkspaceEdit } from 'vscode-languageserver';
import { makeWorkspace, removeWorkspace } from '../protocol/fixtures.js';
import { LspClient, type OpenDocument } from '../protocol/lsp-client.js';
import { applyTextEdits } from '../protocol/workspace-edit.js';
import { applyAsEditor, generateCase, realSources, shrinkCandidates, type EditCase, type Source } from './edit-cases.js';

const EDITOR = 'vscode-languageclient-11.0.0';
const SHRINK_RUNS = 150;

/** What the cases exercised, so that a passing run shows it checked something. */
export interface RunCounts {
  cases: number;
  changes: number;
  comparisons: number;
  /** Comparisons where the server reported at least one function. */
  withDiagnostics: number;
  fixAllApplied: number;
}

export class EditRunner {
  private opened = 0;
  readonly counts: RunCounts = { cases: 0, changes: 0, comparisons: 0, withDiagnostics: 0, fixAllApplied: 0 };

  private constructor(
    private readonly workspace: string,
    private readonly edited: LspClient,
    private readonly fresh: LspClient,
    readonly sources: Source[],
  ) {}

  static async start(): Promise<EditRunner> {
    const workspace = makeWorkspace();
    const [edited, fresh] = await Promise.all([LspClient.start({ editor: EDITOR, workspace }), LspClient.start({ editor: EDITOR, workspace })]);
    return new EditRunner(workspace, edited, fresh, realSources());
  }

  async stop(): Promise<void> {
    await Promise.all([this.edited.shutdown(), this.fresh.shutdown()]);
    removeWorkspace(this.workspace);
  }

  /** Runs the case of `seed`; on failure, throws with the seed and a shrunk reproduction. */
  async check(seed: number): Promise<void> {
    const kase = generateCase(seed, this.sources);
    this.counts.cases++;
    const failure = await this.run(kase);
    if (!failure) return;
    let smallest = kase;
    let reason = failure;
    let runs = 0;
    for (let progress = true; progress && runs < SHRINK_RUNS; ) {
      progress = false;
      for (const candidate of shrinkCandidates(smallest)) {
        if (++runs > SHRINK_RUNS) break;
        const why = await this.run(candidate);
        // The same kind of failure, so that shrinking never wanders off to another defect.
        if (why && kind(why) === kind(failure)) {
          smallest = candidate;
          reason = why;
          progress = true;
          break;
        }
      }
    }
    throw new Error(
      `edit sequence seed ${seed} failed: ${failure}\n` +
        `replay: PROPERTY_SEED=${seed} PROPERTY_CASES=1 npx vitest run tests/protocol/edit-sequences.test.ts\n` +
        `shrunk (${runs} runs) to a case that fails with: ${reason}\n${JSON.stringify(smallest, null, 1)}`,
    );
  }

  /** Plays the case; returns why it failed, or nothing. */
  async run(kase: EditCase): Promise<string | undefined> {
    const document = await this.edited.open(this.file(`case-${this.opened++}${kase.ext}`), kase.languageId, kase.text);
    try {
      for (const [b, batch] of kase.batches.entries()) {
        for (const changes of batch) await this.send(document, changes);
        const [mine, theirs] = await Promise.all([this.edited.diagnostics(document), this.freshDiagnostics(kase, document)]);
        this.counts.comparisons++;
        if (mine.length) this.counts.withDiagnostics++;
        if (!same(mine, theirs)) return `after batch ${b + 1}, diagnostics differ from a fresh open's:\n${show(mine)}\nvs fresh:\n${show(theirs)}`;
      }
      return await this.fixAllThenRemove(kase, document);
    } finally {
      await this.edited.close(document);
    }
  }

  /** fixAll agrees with a fresh server's, and remove after it gives the exact text back. */
  private async fixAllThenRemove(kase: EditCase, document: OpenDocument): Promise<string | undefined> {
    const before = document.text;
    const mine = await this.fixAll(this.edited, document);
    const other = await this.fresh.open(fileURLToPath(document.uri), kase.languageId, before);
    const theirs = await this.fixAll(this.fresh, other);
    await this.fresh.close(other);
    const result = (edit: WorkspaceEdit | undefined, uri: string) => (edit ? textAfter(edit, uri, before) : before);
    if (result(mine, document.uri) !== result(theirs, other.uri)) {
      return `fixAll differs from a fresh open's:\n${JSON.stringify(result(mine, document.uri))}\nvs fresh:\n${JSON.stringify(result(theirs, other.uri))}`;
    }
    if (!mine) return undefined;
    this.counts.fixAllApplied++;
    await this.edited.apply(mine);
    const whole = { start: { line: 0, character: 0 }, end: { line: document.text.split('\n').length + 1, character: 0 } };
    const [remove] = await this.edited.codeActions(document, whole, ['source.removeTelemetry']);
    const edit = remove && (await this.edited.editOf(remove));
    if (!edit) return 'fixAll was applied, and then no removeTelemetry was offered';
    await this.edited.apply(edit);
    if (document.text !== before) return `fixAll then remove did not give the text back:\n${JSON.stringify(document.text)}\nvs before:\n${JSON.stringify(before)}`;
    return undefined;
  }

  private async fixAll(client: LspClient, document: OpenDocument): Promise<WorkspaceEdit | undefined> {
    const whole = { start: { line: 0, character: 0 }, end: { line: document.text.split('\n').length + 1, character: 0 } };
    const [action] = await client.codeActions(document, whole, ['source.fixAll.telemetry']);
    if (!action || action.disabled) return undefined;
    const resolved = action.edit ? action : await client.resolve(action);
    return resolved.disabled ? undefined : resolved.edit;
  }

  private async freshDiagnostics(kase: EditCase, edited: OpenDocument): Promise<Diagnostic[]> {
    const document = await this.fresh.open(fileURLToPath(edited.uri), kase.languageId, edited.text);
    try {
      return await this.fresh.diagnostics(document);
    } finally {
      await this.fresh.close(document);
    }
  }

  /** One didChange with several content changes; the client's copy follows as an editor's would. */
  private async send(document: OpenDocument, changes: EditCase['batches'][number][number]): Promise<void> {
    for (const change of changes) document.text = applyAsEditor(document.text, change);
    this.counts.changes += changes.length;
    document.version++;
    await this.edited.notify('textDocument/didChange', { textDocument: { uri: document.uri, version: document.version }, contentChanges: changes });
  }

  private file(name: string): string {
    return path.join(this.workspace, name);
  }
}

/** The document's text after the edit's changes to it (resource operations are left out). */
function textAfter(edit: WorkspaceEdit, uri: string, text: string): string {
  for (const change of edit.documentChanges ?? []) {
    if ('textDocument' in change && change.textDocument.uri === uri) text = applyTextEdits(text, change.edits as never);
  }
  for (const [target, edits] of Object.entries(edit.changes ?? {})) if (target === uri) text = applyTextEdits(text, edits);
  return text;
}

function kind(failure: string): string {
  return failure.replace(/^after batch \d+, /, '').split(/[:,]/)[0]!;
}

function same(a: Diagnostic[], b: Diagnostic[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function show(diagnostics: Diagnostic[]): string {
  return diagnostics.map((d) => `  ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`).join('\n') || '  (none)';
}
