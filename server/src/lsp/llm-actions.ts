// Owns the LLM side of "Add telemetry" in the language server: whether the layer is usable (and the
// model an action's title names, or why not), and the edit it makes. The LLM runs only in an
// executed command (telemetryInjector.addWithLlm) or codeAction/resolve, never in a diagnostics or
// code-action request:
// it reports $/progress, stops on cancellation, and awaits the network without blocking any other
// request. Only a proposal that passed every check becomes an edit, applied through
// workspace/applyEdit to the version the command was issued for.
// Configuration: the environment under the `telemetryInjector.llm` settings (never keys), read when
// the session starts and again on didChangeConfiguration, which closes the old client. A setting the
// LLM layer rejects keeps the configuration in force, with one warning per wrong value.
// Must never hold a key in a message, and never apply an edit to another version.
import { fileURLToPath } from 'node:url';
import {
  ErrorCodes,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type ExecuteCommandParams,
  type WorkDoneProgressReporter,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { Commands, type AddWithLlmArgs } from '../../../protocol/commands.js';
import { PROBE_KINDS, type FunctionSite, type ProbeKind } from '../engine/types.js';
import { llmConfig, LlmConfigError } from '../llm/config.js';
import { createLlmClient } from '../llm/create-client.js';
import { Ledger, ledgerPath } from '../llm/ledger.js';
import { LessonStore } from '../llm/propose/lessons.js';
import { Proposer } from '../llm/propose/proposer.js';
import type { CallGuard, LlmClient } from '../llm/types.js';
import type { LlmSettingsSection } from '../../../protocol/settings.js';
import { parsePerMTok, Prices } from '../llm/prices.js';
import type { LlmSettings } from '../llm/config.js';
import type { Session } from './session.js';
import { workspaceEdit } from './workspace-edit.js';

export const AddWithLlmCommand = Commands.addWithLlm;

interface Ready {
  client: LlmClient;
  proposer: Proposer;
  model: string;
}

/** The settings the LLM layer reads: only these keys, so a key put in the section is never used. */
const SETTING_KEYS = ['provider', 'model', 'baseUrl', 'timeout', 'firstTokenTimeout', 'parallelPerEndpoint', 'stream'] as const;

export class LlmActions {
  private ready?: Ready | { reason: string };
  /** The settings in force: the last that gave a usable configuration (or none). */
  private settings: LlmSettings = {};
  private price: string | undefined;
  /** Settings being read and applied; actions wait for them so that a title never names a stale model. */
  private configuring: Promise<void> = Promise.resolve();
  private readonly shown = new Set<string>();

  constructor(
    private readonly session: () => Session,
    /** The workspace root: the ledger and lessons live in its `.telemetry_cache/`. */
    private readonly root: string | undefined,
    private readonly cacheDir: string | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  /**
   * The session's `telemetryInjector.llm` settings, at start and after didChangeConfiguration: a
   * configuration that differs replaces the client (the old one is closed); one the LLM layer rejects
   * is shown once and the configuration in force stays.
   */
  configure(settings: Promise<{ llm?: LlmSettingsSection }>): void {
    this.configuring = this.configuring
      .then(() => settings)
      .then((s) => this.apply(s.llm ?? {}))
      .catch((error: unknown) => this.session().logger.warn(`the LLM settings could not be read: ${String(error)}`));
  }

  /** The model an action's title names, or why the LLM cannot be used. */
  async describe(): Promise<{ model: string } | { reason: string }> {
    await this.configuring;
    const ready = this.open();
    return 'reason' in ready ? ready : { model: ready.model };
  }

  private async apply(section: LlmSettingsSection): Promise<void> {
    const raw = section as Record<string, unknown>;
    const settings: LlmSettings = {};
    for (const key of SETTING_KEYS) if (raw[key] !== undefined && raw[key] !== null) (settings as Record<string, unknown>)[key] = raw[key];
    const known: readonly string[] = [...SETTING_KEYS, 'pricePerMtok'];
    const ignored = Object.keys(raw).filter((k) => !known.includes(k));
    // Named, never echoed (an `apiKey` put here by mistake): keys come only from the server's environment.
    if (ignored.length > 0) {
      const names = ignored.map((k) => `telemetryInjector.llm.${k}`).join(', ');
      this.once(`${names} ignored: not an LLM setting (API keys are read only from OPENAI_API_KEY or ANTHROPIC_API_KEY in the server's environment, never from settings)`);
    }
    const price = typeof raw.pricePerMtok === 'string' ? raw.pricePerMtok : undefined;
    if (JSON.stringify(settings) === JSON.stringify(this.settings) && price === this.price) return;
    try {
      llmConfig(this.env, settings);
    } catch (error) {
      if (!(error instanceof LlmConfigError)) throw error;
      this.once(`${error.message}; the LLM configuration in force is kept. Fix it in the editor's settings.`);
      return;
    }
    const old = this.ready;
    this.settings = settings;
    this.price = price;
    this.ready = undefined;
    // A proposal under way on the old client ends with an error; the next action uses the new one.
    if (old && !('reason' in old)) await old.client.close();
  }

  private once(message: string): void {
    if (this.shown.has(message)) return;
    this.shown.add(message);
    this.session().logger.show('warning', message);
  }

  async execute(params: ExecuteCommandParams, token: CancellationToken, progress: WorkDoneProgressReporter): Promise<null> {
    const session = this.session();
    const [uri, version, offset, kinds] = (params.arguments ?? []) as Partial<AddWithLlmArgs>;
    if (typeof uri !== 'string' || typeof version !== 'number' || typeof offset !== 'number') {
      throw new ResponseError(ErrorCodes.InvalidParams, `${AddWithLlmCommand} takes [uri, version, offset, kinds?]`);
    }
    // The client's own progress when it sent a token; otherwise one the server creates, if it can.
    const reporter = params.workDoneToken !== undefined ? progress : undefined;
    const result = await this.edit(uri, version, offset, Array.isArray(kinds) ? kinds : undefined, token, reporter);
    if ('message' in result) return this.tell(result.message);
    const applied = await session.connection.workspace.applyEdit({ label: result.label, edit: result.edit });
    if (!applied.applied) session.logger.warn(`${result.label} was not applied: ${applied.failureReason ?? 'no reason given'}`);
    return null;
  }

  /**
   * The edit that adds telemetry to the function at `offset` of version `version`: from the templates
   * or a stored proposal when they serve, else from the LLM (with progress, stopped by `token`).
   * Shared by the command and codeAction/resolve.
   */
  async edit(
    uri: string,
    version: number,
    offset: number,
    kinds: readonly string[] | undefined,
    token: CancellationToken,
    progress?: WorkDoneProgressReporter,
  ): Promise<{ edit: WorkspaceEdit; label: string } | { message: string }> {
    const session = this.session();
    const snap = await session.analyzer.snapshot(uri);
    if (!snap) throw new ResponseError(ErrorCodes.InvalidParams, `${uri} is not an open document the server checks`);
    if (snap.version !== version) throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} is at version ${snap.version}, not ${version}`);
    const site = snap.analysis.functions.find((f) => f.nameRange.start === offset);
    if (!site) throw new ResponseError(ErrorCodes.InvalidParams, 'the function is no longer there');
    const setup = session.runtime.prepare(snap);
    if ('error' in setup) return { message: setup.error };
    const one = (f: FunctionSite) => f.nameRange.start === offset;
    const wanted: readonly ProbeKind[] = kinds ? PROBE_KINDS.filter((k) => kinds.includes(k)) : snap.requirements.kinds;
    const options = { ...setup.options, kinds: wanted, redact: snap.requirements.redact };
    const { engine } = session;
    // Synchronous, on this snapshot's tree: templates or a proposal stored before need no call.
    const first = engine.add(snap.lang, snap.text, options, one, snap.tree);
    const need = first.needsLlm.find((n) => n.offset === offset);
    let changes = first.changes;
    if (need) {
      await this.configuring;
      const ready = this.open();
      if ('reason' in ready) return { message: `Cannot add telemetry to \`${site.name}\`: it needs the LLM, which is not configured (${ready.reason})` };
      // The snapshot's tree dies at the next await: keep only plain values.
      const { text, lang } = snap;
      // Where a compile check finds the project's own tools (its node_modules/.bin/tsc).
      const onDisk = uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
      const abort = new AbortController();
      const stop = token.onCancellationRequested(() => abort.abort());
      const reporter = progress ?? (await session.connection.window.createWorkDoneProgress().catch(() => undefined));
      const stopByProgress = reporter && 'token' in reporter ? (reporter.token as CancellationToken).onCancellationRequested(() => abort.abort()) : undefined;
      reporter?.begin(`Add telemetry to ${site.name}`, undefined, `asking ${ready.model}`, true);
      try {
        const outcome = await ready.proposer.propose({ lang, text, relPath: options.relPath, path: onDisk, esm: options.esm, kinds: wanted, redact: options.redact }, need, abort.signal);
        if (abort.signal.aborted) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
        if (!outcome.adopted) return { message: `Could not add telemetry to \`${site.name}\`: ${outcome.failed ?? 'no proposal passed the checks'}` };
        const again = await session.analyzer.snapshot(uri);
        if (!again || again.version !== version) throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed while the LLM was asked`);
        changes = engine.add(lang, again.text, options, one, again.tree, { adopted: [outcome.adopted] }).changes;
      } finally {
        stop.dispose();
        stopByProgress?.dispose();
        reporter?.done();
      }
    }
    const snapNow = await session.analyzer.snapshot(uri);
    if (!snapNow || snapNow.version !== version) throw new ResponseError(LSPErrorCodes.ContentModified, `${uri} changed`);
    if (changes.length === 0) return { message: `No telemetry could be added to \`${site.name}\`` };
    const creates = session.client.createFiles;
    if (!creates && setup.missing.length > 0 && !session.runtime.write(setup.missing)) return { message: 'The telemetry runtime could not be written' };
    return { edit: workspaceEdit(session.client, snapNow, changes, creates ? setup.missing : []), label: `Add telemetry to ${site.name}` };
  }

  async dispose(): Promise<void> {
    await this.configuring;
    if (this.ready && !('reason' in this.ready)) await this.ready.client.close();
  }

  private tell(message: string): null {
    this.session().logger.show('warning', message);
    return null;
  }

  private open(): Ready | { reason: string } {
    if (this.ready) return this.ready;
    let config;
    try {
      config = llmConfig(this.env, this.settings);
    } catch (error) {
      if (error instanceof LlmConfigError) return (this.ready = { reason: error.message });
      throw error;
    }
    if (!config.configured) return (this.ready = { reason: config.reason });
    const session = this.session();
    const warn = (m: string) => session.logger.warn(m);
    const observer = this.root ? new Ledger(ledgerPath(this.root), { warn }) : undefined;
    const prices = new Prices({ env: this.env, warn, ...(this.price !== undefined && { override: parsePerMTok(this.price) }) });
    const client = createLlmClient(config.config, { observer, guard: pricing(prices), log: warn });
    const remote = config.config.provider !== 'ollama';
    const proposer = new Proposer({ client, engine: session.engine, lessons: new LessonStore(this.cacheDir), mask: remote, strongLast: config.config.models.length > 1 });
    return (this.ready = { client, proposer, model: config.config.models[0]! });
  }
}

/** Prices each call for the ledger and refuses none: the editor has no budget, only a record. */
function pricing(prices: Prices): CallGuard {
  return {
    reserve: (estimate) => ({
      commit: (usage, responseModel) =>
        usage === null
          ? 0
          : ((responseModel ? prices.cost(estimate.provider, responseModel, usage) : undefined) ?? prices.cost(estimate.provider, estimate.model, usage) ?? 0),
    }),
  };
}
