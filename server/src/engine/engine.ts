// The engine facade used by the language server, the CLI and tests: text in, plain data out.
// It owns grammar loading; callers own any tree they pass in. Never touches the file system
// except to read the runtime templates shipped with the package, and through the plan store
// when the caller passes one (without one, plans come straight from the templates).
// Never waits on the network: functions templates cannot serve are reported (`needsLlm`), the LLM
// layer proposes, checkProposal() judges each proposal and add() takes the accepted ones back.
import { readFileSync } from 'node:fs';
import type { Tree } from 'web-tree-sitter';
import { languageById, languageForPath } from '../languages/registry.js';
import type { LanguageSpec } from '../languages/spec.js';
import { Grammars } from '../parse/grammars.js';
import { packagePath } from '../paths.js';
import { analyzeSince, type Since } from './incremental.js';
import type { Plan } from './plan.js';
import { templatesOnly, type FilePlanner, type PlanStore, type ProposalProvenance } from './plan-store.js';
import { checkProposal, type ProposalCheck } from './proposal-check.js';
export { proposalSpan } from './proposal-check.js';
import { applyChanges, type Piece, type PlannedFunction } from './render.js';
import { lineBreakAfter } from './lines.js';
import { importPiece } from './runtime-import.js';
import { analyzeTree, mayHoldIgnoreComment, type Analysis, type Site } from './sites.js';
import { stripChanges } from './strip.js';
import { PROBE_KINDS, type EngineOptions, type FunctionSite, type LanguageId, type ProbeKind, type Span, type TextChange } from './types.js';
import { validate, type ValidationHost } from './validate.js';
import { editedCopy } from './tree-edits.js';

const MAX_ROUNDS = 32;
/** Above this many changes validation parses the result afresh (see reparse). */
const INCREMENTAL_CHANGES = 64;

export interface AddResult {
  changes: TextChange[];
  text: string;
  added: string[];
  /** Functions left alone, with the reason (validation failed, cannot be wrapped). */
  skipped: { name: string; reason: string }[];
  /**
   * Functions the templates cannot serve (no templates, `forceLlm`, or a template plan that failed
   * validation): left unchanged here, for the LLM layer to propose. Never in `skipped` too.
   */
  needsLlm: NeedsLlm[];
}

export interface NeedsLlm {
  name: string;
  /** nameRange.start: how the function is named back (Selection.offsets, AdoptedProposal.offset). */
  offset: number;
  /** The whole function (decorators and leading comments excluded), as in FunctionSite. */
  range: Span;
  line: number;
  kind: string;
  /** Why the templates cannot serve it. */
  reason: string;
  /** The compile check's message on its template plan, when that is why (`--validate=compile`). */
  checkFailed?: string;
  /** The kinds it lacks of those asked for. */
  lacks: ProbeKind[];
}

/** A proposal checkProposal() accepted, handed back to add() for the same text. */
export interface AdoptedProposal {
  offset: number;
  plan: Plan;
  provenance: ProposalProvenance;
}

export interface AddExtras {
  adopted?: readonly AdoptedProposal[];
  /** The caller's analysis of this very text (an open document's), so add() need not redo it. */
  known?: Analysis;
}

export interface StripOutcome {
  changes: TextChange[];
  text: string;
  removed: string[];
  failed: string[];
}

export interface RuntimeFile {
  /** Path relative to the runtime folder, e.g. `telemetry_runtime.py` or `telemetry/telemetry.go`. */
  fileName: string;
  content: string;
}

export interface EngineCreateOptions {
  /** Reuses validated plans by content hash (the plan cache); plans are the same with or without it. */
  cache?: PlanStore;
}

type Select = (f: FunctionSite) => boolean;
const all: Select = () => true;

export class Engine {
  private constructor(private readonly grammars: Grammars, private readonly store: PlanStore) {}

  static async create(options: EngineCreateOptions = {}): Promise<Engine> {
    return new Engine(await Grammars.create(), options.cache ?? templatesOnly);
  }

  languageForPath(path: string): LanguageId | null {
    return languageForPath(path)?.id ?? null;
  }

  ready(lang: LanguageId): Promise<void> {
    return this.grammars.load(languageById(lang));
  }

  /** Parses `text`; the caller owns the tree and must delete() it. */
  parse(lang: LanguageId, text: string, oldTree?: Tree | null): Tree {
    return this.grammars.parse(languageById(lang), text, oldTree);
  }

  analyze(lang: LanguageId, text: string, tree?: Tree): Analysis {
    return this.withTree(lang, text, tree, (t) => this.analyzeWith(languageById(lang), t, text));
  }

  /**
   * The analysis of `tree` (the parse of `text` after `since.edit`), re-analyzing only what the edit
   * touched when it can (incremental.ts), from scratch otherwise: equal to `analyze` either way.
   */
  analyzeSince(lang: LanguageId, text: string, tree: Tree, since: Since): Analysis {
    const spec = languageById(lang);
    return analyzeSince(spec, this.grammars.sitesQuery(spec), tree, text, since) ?? this.analyzeWith(spec, tree, text);
  }

  /**
   * The light scan: the same functions, states and lacking kinds as analyze(), for coverage only
   * (workspace scans, `check`); sites carry no planning detail and no params. Never plan from it.
   */
  scan(lang: LanguageId, text: string, tree?: Tree): Analysis {
    const spec = languageById(lang);
    const query = this.grammars.scanQuery(spec, { comments: mayHoldIgnoreComment(text) });
    return this.withTree(lang, text, tree, (t) => analyzeTree(spec, query, t, text, { scan: true }));
  }

  /**
   * Instruments the selected functions with the kinds they lack (of `opts.kinds`); never returns
   * changes that add a parse error or break strip. A function whose deep probes fail validation is
   * tried again with entry and exit only. Functions the templates cannot serve are reported in
   * `needsLlm`, unless `extras.adopted` holds an accepted proposal for them or the store holds one.
   */
  add(lang: LanguageId, text: string, opts: EngineOptions, select: Select = all, tree?: Tree, extras: AddExtras = {}): AddResult {
    const spec = languageById(lang);
    // Parsed only when needed: with the caller's analysis, a validation past INCREMENTAL_CHANGES
    // and no function instrumented before (fixAll in a pool worker), the original tree goes unread.
    return this.withLazyTree(lang, text, tree, (t) => {
      // The caller's analysis of this very text (an open document's), or a new one.
      const analysis = extras.known ?? this.analyzeWith(spec, t(), text);
      const wanted = new Set<ProbeKind>([...(opts.kinds ?? PROBE_KINDS), 'function']);
      const skipped: AddResult['skipped'] = [];
      const needs: { site: Site; reason: string }[] = [];
      const planner = this.store.filePlanner(spec, text, opts);
      const adopted = new Map((extras.adopted ?? []).map((a) => [a.offset, a]));
      let shallow: FilePlanner | undefined;
      let planned: Planned[] = [];
      // Functions a proposal plans (or will): a proposal is the whole function, nested ones included.
      const units: Site[] = [];
      const fromProposal = (site: Site, reason: string): void => {
        const given = adopted.get(site.nameRange.start);
        const plan = given ? { ...given.plan, start: site.range.start } : planner.storedProposal(site);
        if (plan) planned.push({ range: site.range, plan, name: site.name, site, proposal: given?.provenance ?? 'stored', whole: true });
        else needs.push({ site, reason });
      };
      const probed = analysis.functions.filter((f) => f.instrumented);
      const carriesProbes = (site: Site) => probed.some((f) => site.range.start <= f.range.start && f.range.end <= site.range.end);
      for (const site of analysis.functions) {
        if (site.ignored || site.broken || site.skip || !select(site)) continue;
        if (!site.missing.some((k) => wanted.has(k))) continue;
        const reason = adopted.has(site.nameRange.start) ? 'adopted'
          : !spec.templates ? `no templates for ${spec.id}`
          : opts.forceLlm ? 'the LLM was asked for (--force-llm)'
          : undefined;
        if (reason) {
          if (carriesProbes(site) && !adopted.has(site.nameRange.start)) {
            skipped.push({ name: site.name, reason: 'it already carries probes, and a proposal takes only a function without any' });
          } else {
            fromProposal(site, reason);
            units.push(site);
          }
          continue;
        }
        const { plan, pending } = planner.plan(site);
        if (typeof plan === 'string') skipped.push({ name: site.name, reason: plan });
        else if (plan.insertions.length) planned.push({ range: site.range, plan, name: site.name, pending, site });
      }
      const inUnit = (s: Site) => units.some((u) => u !== s && u.range.start <= s.range.start && s.range.end <= u.range.end);
      planned = planned.filter((p) => !inUnit(p.site));
      const extra: Piece[] = analysis.hasImport || !spec.templates ? [] : [importPiece(spec, analysis, text, opts)];
      const host: ValidationHost = {
        parse: (s) => this.parse(lang, s),
        reparse: (s, changes) => this.reparse(lang, t, text, changes, s),
        // Validation strips the result: it needs the probes, not where more could go.
        analyze: (tr, s) => analyzeTree(spec, this.grammars.sitesQuery(spec), tr, s, { strip: true }),
      };
      const report = () => needs.filter((n) => !inUnit(n.site)).map((n) => needOf(n.site, n.reason, wanted));
      // Each failed round drops the functions it blames; a handful of rounds covers real files.
      for (let round = 0; planned.length > 0 && round < MAX_ROUNDS; round++) {
        const expected = strippedOriginal(spec, t, analysis, text, planned);
        const result = validate(spec, host, text, analysis, planned, extra, expected);
        if (result.ok) {
          planner.commit(planned);
          for (const p of planned) if (p.proposal && p.proposal !== 'stored') planner.keepProposal(p.site, p.plan, p.proposal);
          return { changes: result.changes, text: result.text, added: planned.map((p) => p.name), skipped, needsLlm: report() };
        }
        const blamed = new Set(result.blame);
        const retry: Planned[] = [];
        for (const p of result.blame) {
          const deep = p.plan.insertions.some((i) => DEEP_INSERTIONS.has(i.kind));
          if (p.proposal) {
            skipped.push({ name: p.name, reason: `its proposal failed in the file: ${result.reason}` });
            continue;
          }
          if (deep && !p.site.instrumented && !p.shallow) {
            shallow ??= this.store.filePlanner(spec, text, { ...opts, kinds: ['function'] });
            const again = shallow.plan(p.site);
            if (typeof again.plan !== 'string') {
              retry.push({ ...p, plan: again.plan, pending: again.pending, shallow: true });
              continue;
            }
          }
          // A repair by proposal rewrites the whole function: only one no other planned function holds.
          const held = planned.some((o) => o !== p && o.range.start <= p.range.start && p.range.end <= o.range.end);
          if (!held && !p.site.instrumented) needs.push({ site: p.site, reason: result.reason });
          else skipped.push({ name: p.name, reason: result.reason });
        }
        planned = [...planned.filter((p) => !blamed.has(p)), ...retry];
      }
      for (const p of planned) skipped.push({ name: p.name, reason: 'gave up after repeated validation failures' });
      return { changes: [], text, added: [], skipped, needsLlm: report() };
    });
  }

  /**
   * Judges a proposal for the function whose name starts at `offset` (see proposal-check.ts): the
   * plan it amounts to, or the errors to feed back. Synchronous and pure; compile checks are the
   * caller's (they run processes).
   */
  checkProposal(lang: LanguageId, text: string, offset: number, code: string, tree?: Tree): ProposalCheck {
    const spec = languageById(lang);
    const host = { parse: (s: string) => this.parse(lang, s), analyze: (tr: Tree, s: string) => this.analyzeWith(spec, tr, s) };
    return this.withTree(lang, text, tree, (t) => checkProposal(spec, host, t, this.analyzeWith(spec, t, text), text, offset, code));
  }

  strip(lang: LanguageId, text: string, select: Select = all, tree?: Tree): StripOutcome {
    const spec = languageById(lang);
    return this.withTree(lang, text, tree, (t) => {
      const analysis = this.analyzeWith(spec, t, text);
      const result = stripChanges(spec, t, analysis, text, select);
      return { ...result, text: applyChanges(text, result.changes) };
    });
  }

  /** The suppression comment for one function, on its own line above it. */
  ignore(lang: LanguageId, text: string, fn: FunctionSite, reason?: string): TextChange[] {
    const spec = languageById(lang);
    const at = fn.headStart;
    const indent = /^[ \t]*/.exec(text.slice(at))![0];
    const nl = lineBreakAfter(text, at);
    const note = reason ? ` -- ${reason.replace(/[\r\n]+/g, ' ')}` : '';
    return [{ start: at, end: at, text: `${indent}${spec.lineComment} telemetry: ignore${note}${nl}` }];
  }

  /** The runtime module files for a language, relative to the runtime folder. */
  runtimeFiles(lang: LanguageId): RuntimeFile[] {
    const spec = languageById(lang);
    const folder = spec.runtimeFolder ?? spec.folder;
    return spec.runtimeFiles.map((name) => ({
      fileName: spec.runtimeSubdir ? `${spec.runtimeSubdir}/${name}` : name,
      content: readFileSync(packagePath(folder, 'runtime', name), 'utf8'),
    }));
  }

  /**
   * The parse of `next` (`text` with `changes`): for a few changes, incremental from the original
   * tree (`treeOf`) when neither side holds a parse error, where it equals a fresh parse (as in the
   * language server's documents.ts); a fresh parse otherwise.
   */
  private reparse(lang: LanguageId, treeOf: () => Tree, text: string, changes: TextChange[], next: string): Tree {
    // Edits all over the file leave little to reuse: past a few dozen, editing the tree costs more
    // than it saves (argparse.py, fixAll: 2,338 changes, 35 ms incremental against 30 ms fresh).
    if (changes.length > INCREMENTAL_CHANGES) return this.parse(lang, next);
    const tree = treeOf();
    if (tree.rootNode.hasError) return this.parse(lang, next);
    const edited = editedCopy(tree, text, changes, next);
    try {
      const incremental = this.parse(lang, next, edited);
      if (!incremental.rootNode.hasError) return incremental;
      incremental.delete();
      return this.parse(lang, next);
    } finally {
      edited.delete();
    }
  }

  private analyzeWith(spec: LanguageSpec, tree: Tree, text: string): Analysis {
    return analyzeTree(spec, this.grammars.sitesQuery(spec), tree, text);
  }

  /**
   * `text` with the runtime import added where add() puts it (unchanged if it has one or its
   * language needs none): a proposal's whole file as a compile check must see it. Stores nothing.
   */
  withImport(lang: LanguageId, text: string, opts: Pick<EngineOptions, 'runtimeImport' | 'esm'>): string {
    const spec = languageById(lang);
    if (!spec.templates) return text;
    return this.withTree(lang, text, undefined, (t) => {
      const analysis = this.analyzeWith(spec, t, text);
      if (analysis.hasImport) return text;
      const piece = importPiece(spec, analysis, text, { relPath: '', ...opts });
      return text.slice(0, piece.at) + piece.text + text.slice(piece.at);
    });
  }

  /** withTree, parsing `text` on the first call of the getter, if ever. */
  private withLazyTree<T>(lang: LanguageId, text: string, tree: Tree | undefined, fn: (t: () => Tree) => T): T {
    let own: Tree | undefined;
    try {
      return fn(() => tree ?? (own ??= this.parse(lang, text)));
    } finally {
      own?.delete();
    }
  }

  private withTree<T>(lang: LanguageId, text: string, tree: Tree | undefined, fn: (t: Tree) => T): T {
    if (tree) return fn(tree);
    const own = this.parse(lang, text);
    try {
      return fn(own);
    } finally {
      own.delete();
    }
  }

}

interface Planned extends PlannedFunction {
  name: string;
  site: Site;
  pending?: object;
  /** A proposal's plan: it covers the functions nested in it too. */
  whole?: boolean;
  /** Planned by a proposal: adopted now (stored once the file validates) or stored before. */
  proposal?: ProposalProvenance | 'stored';
  /** Retried with entry and exit only after its deep probes failed validation. */
  shallow?: boolean;
}

const DEEP_INSERTIONS = new Set<string>(['variable', 'branch', 'loop', 'exception']);

/** What strip of the instrumented result must give: the original, less the probes of functions that had some. */
function strippedOriginal(spec: LanguageSpec, tree: () => Tree, analysis: Analysis, text: string, planned: Planned[]): string {
  const had = new Set(planned.filter((p) => p.site.instrumented).map((p) => p.range.start));
  if (!had.size) return text;
  return applyChanges(text, stripChanges(spec, tree(), analysis, text, (f) => had.has(f.range.start)).changes);
}

function needOf(site: Site, reason: string, wanted: ReadonlySet<ProbeKind>): NeedsLlm {
  const { name, range, line, kind } = site;
  return { name, offset: site.nameRange.start, range, line, kind, reason, lacks: site.missing.filter((k) => wanted.has(k)) };
}
