// Sites: runs a language's sites.scm over a tree and returns plain data about every function.
// Owns the meaning of capture names (site-owners.ts those a function owns); never edits text and
// never keeps tree nodes past the call.
import type { Node, Tree } from 'web-tree-sitter';
import type { Query } from 'web-tree-sitter';
import type { LanguageSpec } from '../languages/spec.js';
import type { FileAnalysis, FunctionSite, Span } from './types.js';
import { countErrors } from './errors.js';
import { breakBefore, lineEnd, lineStart } from './lines.js';
import { importOffset } from './runtime-import.js';
import { lackingDeepKinds, resolveDeep, type DeepCapture, type DeepSite } from './deep.js';
import { assignOwned, contains, type Owned } from './site-owners.js';

/** Extra plain data the planner and strip need, per function. */
export interface SiteDetail {
  /** Values to wrap; `awaited` when the value is an await expression (the same span as one). */
  returns: (Span & { awaited?: boolean })[];
  /** The function's return type is written (TS: `@return.type`). */
  returnTyped: boolean;
  /**
   * Yield/await expressions to wrap; `operand` is absent for a bare `yield`; `unused` when the
   * yield is a whole expression statement (`@yield.unused`); `delegates` for `yield*` (`yield from`).
   */
  suspensions: { kind: 'yield' | 'await'; node: Span; operand?: Span; keywordEnd: number; unused?: boolean; delegates?: boolean }[];
  /** End of the directive prologue or docstring, or the body's opening offset. */
  prologueEnd: number;
  /** First and last statements after the prologue (absent when the body holds nothing else). */
  first?: Span;
  last?: Span;
  /** Existing probe nodes owned by this function. */
  entry?: Span;
  calls: Span[];
  /** Variables, branches, loops and handlers, with where their probes go. */
  deep: DeepSite[];
  /** Deep probe statements already in the function. */
  probes: Span[];
}

export interface Site extends FunctionSite {
  detail: SiteDetail;
}

export interface Analysis extends FileAnalysis {
  functions: Site[];
  /** Where the runtime import goes: after the module prologue (docstring, __future__, directives; runtime-import.ts). */
  importAt: number;
  /** Existing runtime import statement. */
  importNode?: Span;
  /** The file uses import/export syntax. */
  moduleSyntax: boolean;
  /** Go's (first) package clause (the import goes right after it). */
  packageClause?: Span;
  /** Multi-line strings: lines starting inside them are never re-indented. */
  strings: Span[];
}

/** A function, class or other scope the query found, with what the sweeps attach to it (site-owners.ts). */
export interface Scope {
  node: Node;
  instrumentable: boolean;
  name?: Node;
  body?: Node;
  site?: Site;
  deep?: DeepCapture[];
  entry?: Node;
}

/** Captures that qualify another capture of the same match rather than stand for a site. */
const QUALIFIERS = new Set(['condition', 'enter.body', 'loop.body', 'exception.binding', 'var.stmt']);
const DEEP = /^(var|branch|loop|exception|probe\.(variable|branch|exception|loop|tick|done))(\.|$)/;

/** Capture names deep.ts reads: sites with a label suffix, their qualifiers and probe statements. */
export function isDeepCapture(name: string): boolean {
  return DEEP.test(name) || QUALIFIERS.has(name);
}

/** Kinds of match by capture name, in the order analyzeTree tests them: the lowest in a match wins. */
const Role = { Scope: 0, Deep: 1, Other: 2 } as const;
type Role = (typeof Role)[keyof typeof Role];
const SCOPE_CAPTURES = new Set(['function', 'function.named', 'scope']);
const roles = new Map<string, Role>();
function roleOf(name: string): Role {
  let role = roles.get(name);
  if (role === undefined) {
    role = SCOPE_CAPTURES.has(name) ? Role.Scope : isDeepCapture(name) && !QUALIFIERS.has(name) ? Role.Deep : Role.Other;
    roles.set(name, role);
  }
  return role;
}

const IGNORE = /telemetry:\s*ignore\b/;

/** False when no comment of `text` can be an ignore comment: the light scan then leaves comments out. */
export function mayHoldIgnoreComment(text: string): boolean {
  return IGNORE.test(text);
}

const span = (n: Node): Span => ({ start: n.startIndex, end: n.endIndex });

/** A stretch of the text, in UTF-16 offsets, for analyzing part of a tree (incremental.ts). */
export interface Stretch {
  startIndex: number;
  endIndex: number;
}

/** Where each `@module.syntax` capture starts: incremental.ts needs them to merge stretches. */
export const moduleSyntaxMarks = new WeakMap<Analysis, number[]>();

export interface AnalyzeMode {
  /**
   * The light scan (with the language's scan query): functions and what coverage needs of them, the
   * same as a full analysis; no planning detail (params, returns, suspensions, deep placements).
   */
  scan?: boolean;
  /**
   * Only what strip needs (validation of an instrumented text): the same functions, entries, calls
   * and probe statements, with no deep placements, so `missing` lacks the deep kinds. Never plan or
   * count coverage from it.
   */
  strip?: boolean;
  /**
   * Only the matches in this stretch: then the module-level figures that need the whole tree
   * (`errorCount`, and `importAt` unless the stretch starts the file, where it holds only if it lies
   * inside the stretch) are left at 0 and the caller (incremental.ts) keeps only what lies inside
   * whole top-level statements of the stretch.
   */
  within?: Stretch;
  /**
   * With `within`: only the functions lying wholly inside this stretch are finished (deep sites,
   * ignore comments) and returned; the rest of `within` is queried only for what they read around them.
   */
  keep?: Stretch;
}

/** The analysis of the whole tree, or of a stretch of it (`mode.within`), or its light scan. */
export function analyzeTree(spec: LanguageSpec, query: Query, tree: Tree, text: string, mode: AnalyzeMode = {}): Analysis {
  const within = mode.within;
  const root = tree.rootNode;
  const scopes = new Map<number, Scope>();
  const classes: { node: Node; name: string }[] = [];
  const owned: Owned[] = [];
  const comments: Node[] = [];
  const strings: Node[] = [];
  const modulePrologue: Node[] = [];
  let importNode: Node | undefined;
  let packageClause: Node | undefined;
  const syntaxMarks: number[] = [];

  // Query ranges count bytes of the UTF-16 text that web-tree-sitter 0.25 parses (2 per code unit),
  // unlike node offsets (code units); tests/unit/incremental-analysis.test.ts holds this.
  const options = within && { startIndex: 2 * within.startIndex, endIndex: 2 * within.endIndex };
  for (const match of query.matches(root, options)) {
    const get = (name: string) => match.captures.find((c) => c.name === name)?.node;
    // What the match stands for, from its capture names (classified once per name): most
    // matches are deep sites, which then skip the lookups of the kinds that come before them.
    let role: Role = Role.Other;
    for (const c of match.captures) role = Math.min(role, roleOf(c.name)) as Role;
    if (role === Role.Deep) {
      // Strip deletes the deep probe statements and never reads the sites where probes would go.
      if (mode.strip && !match.captures.some((c) => roleOf(c.name) === Role.Deep && c.name.startsWith('probe.'))) continue;
      // The match's qualifiers, the first of each name, in one pass over its few captures.
      const extra: Record<string, Node | undefined> = {};
      for (const c of match.captures) if (QUALIFIERS.has(c.name)) extra[c.name] ??= c.node;
      for (const c of match.captures) {
        if (roleOf(c.name) === Role.Deep) owned.push({ name: 'deep', node: c.node, deep: { name: c.name, node: c.node, with: extra } });
      }
      continue;
    }
    const fn = role === Role.Scope && get('function');
    if (fn) {
      const prev = scopes.get(fn.id);
      scopes.set(fn.id, { node: fn, instrumentable: true, name: get('name') ?? prev?.name, body: get('body') });
      continue;
    }
    const named = role === Role.Scope && get('function.named');
    if (named) {
      const prev = scopes.get(named.id);
      if (prev) prev.name ??= get('name');
      else scopes.set(named.id, { node: named, instrumentable: false, name: get('name') });
      continue;
    }
    const scope = role === Role.Scope && get('scope');
    if (scope) {
      if (!scopes.has(scope.id)) scopes.set(scope.id, { node: scope, instrumentable: false });
      continue;
    }
    const cls = get('class') ?? get('class.receiver');
    const clsName = get('class.name');
    if (cls && clsName) {
      classes.push({ node: cls, name: clsName.text });
      continue;
    }
    for (const c of match.captures) {
      if (c.name.startsWith('_')) continue;
      switch (c.name) {
        case 'comment': if (IGNORE.test(c.node.text)) comments.push(c.node); break;
        case 'string': if (c.node.startPosition.row !== c.node.endPosition.row) strings.push(c.node); break;
        case 'prologue.module': modulePrologue.push(c.node); break;
        case 'probe.import': importNode ??= c.node; break;
        // The first: error recovery can leave more (a Go file pasted into another), and incremental.ts keeps the first.
        case 'package': packageClause ??= c.node; break;
        case 'module.syntax': syntaxMarks.push(c.node.startIndex); break;
        case 'error': break;
        default: owned.push({ name: c.name, node: c.node });
      }
    }
  }

  // A named scope capture may have arrived before its @function pattern: keep the name.
  const ordered = [...scopes.values()].sort(
    (a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex,
  );
  let sites = makeSites(spec, ordered, classes, text);
  const keep = mode.keep;
  if (keep) {
    // Scopes outside stay on the ownership stack (their items are theirs), but get no site.
    const kept = (s: Site) => keep.startIndex <= s.range.start && s.range.end <= keep.endIndex;
    for (const scope of ordered) if (scope.site && !kept(scope.site)) scope.site = undefined;
    sites = sites.filter(kept);
  }
  assignOwned(owned, ordered, spec.paramFences ?? [], spec.splitReturns);
  for (const scope of ordered) if (scope.site) finishSite(spec, scope, comments, text, mode.scan === true);

  const analysis: Analysis = {
    language: spec.id,
    functions: sites,
    errorCount: within ? 0 : countErrors(root),
    hasImport: importNode !== undefined,
    importNode: importNode && span(importNode),
    importAt: within && within.startIndex > 0 ? 0 : importOffset(root, modulePrologue, text, spec),
    moduleSyntax: syntaxMarks.length > 0,
    packageClause: packageClause && span(packageClause),
    strings: strings.map(span),
  };
  moduleSyntaxMarks.set(analysis, syntaxMarks);
  return analysis;
}

function makeSite(spec: LanguageSpec, scope: Scope, ancestors: string[], receiver: string | undefined, text: string): Site {
  const { node, body } = scope;
  const own = scope.name;
  const base = own?.text ?? '<anonymous>';
  const name = [...ancestors, ...(receiver ? [receiver] : []), base].join('.');
  const first = node.child(0);
  // A diagnostic sits on the name, or on the function's first token when it has none, and never
  // runs past the first line (error recovery can stretch either over many lines).
  const wanted = own ? span(own) : { start: node.startIndex, end: first ? first.endIndex : node.startIndex };
  const nameRange = { start: wanted.start, end: Math.min(wanted.end, lineEnd(text, wanted.start)) };
  let head = node.parent?.type === 'decorated_definition' ? node.parent : node;
  // Attributes written as siblings before the function (Rust's `#[test]`) belong to its head.
  const siblings = spec.headSiblings;
  if (siblings) for (let prev = head.previousNamedSibling; prev && siblings.includes(prev.type); prev = prev.previousNamedSibling) head = prev;
  const bodyNode = body!;
  return {
    name,
    kind: node.type,
    range: span(node),
    nameRange,
    body: span(bodyNode),
    headStart: lineStart(text, head.startIndex),
    params: [],
    instrumented: false,
    missing: [],
    ignored: false,
    broken: node.hasError,
    isAsync: node.children.slice(0, 3).some((c) => c?.type === 'async'),
    isGenerator: false,
    line: (own ?? node).startPosition.row + 1,
    detail: {
      returns: [],
      returnTyped: false,
      suspensions: [],
      prologueEnd: spec.style === 'indent' ? bodyNode.startIndex : bodyNode.startIndex + 1,
      calls: [],
      deep: [],
      probes: [],
    },
  };
}

/** Builds sites in source order; a stack of enclosing classes and named functions gives qualified names. */
function makeSites(spec: LanguageSpec, ordered: Scope[], classes: { node: Node; name: string }[], text: string): Site[] {
  const receivers = new Map<number, string>();
  const namers: { node: Node; name?: string; scope?: Scope }[] = [];
  const scoped = new Set(ordered.map((s) => s.node.id));
  for (const c of classes) {
    if (scoped.has(c.node.id)) receivers.set(c.node.id, c.name);
    else namers.push({ node: c.node, name: c.name });
  }
  for (const s of ordered) namers.push({ node: s.node, name: s.name?.text, scope: s });
  namers.sort((a, b) => a.node.startIndex - b.node.startIndex || b.node.endIndex - a.node.endIndex);
  const stack: typeof namers = [];
  const sites: Site[] = [];
  for (const n of namers) {
    while (stack.length && !contains(stack.at(-1)!.node, n.node)) stack.pop();
    const scope = n.scope;
    if (scope?.instrumentable && scope.body) {
      const ancestors = stack.filter((a) => a.name).map((a) => a.name!);
      scope.site = makeSite(spec, scope, ancestors, receivers.get(scope.node.id), text);
      sites.push(scope.site);
    }
    stack.push(n);
  }
  return sites;
}

function finishSite(spec: LanguageSpec, scope: Scope, comments: Node[], text: string, scan: boolean): void {
  const site = scope.site!;
  const d = site.detail;
  if (scan) {
    // Coverage reads only whether a statement follows the prologue: the last one tells (`first`
    // is left out, as all planning detail is in the scan).
    const last = lastStatement(scope.body!);
    d.last = last && last.startIndex >= d.prologueEnd ? span(last) : undefined;
  } else {
    const rest = scope.body!.namedChildren.filter(
      (c): c is Node => !!c && c.type !== 'comment' && c.startIndex >= d.prologueEnd,
    );
    d.first = rest[0] && span(rest[0]);
    d.last = rest.at(-1) && span(rest.at(-1)!);
  }
  site.instrumented = d.entry !== undefined;
  for (const r of d.returns) {
    if (d.suspensions.some((x) => x.kind === 'await' && x.node.start === r.start && x.node.end === r.end)) r.awaited = true;
  }
  if (!site.instrumented) site.missing.push('function');
  if (spec.deep && scan) {
    const lacking = lackingDeepKinds(spec, scope.deep ?? [], scope.body!, site.line, text, probeScaffold(scope.entry));
    for (const kind of ['variable', 'branch', 'loop', 'exception'] as const) if (lacking.has(kind)) site.missing.push(kind);
  } else if (spec.deep) {
    const deep = resolveDeep(spec, scope.deep ?? [], scope.body!, site.line, text, probeScaffold(scope.entry));
    d.deep = deep.sites;
    d.probes = deep.probes;
    for (const kind of ['variable', 'branch', 'loop', 'exception'] as const) {
      if (deep.sites.some((x) => x.kind === kind && !x.covered && x.parts.length)) site.missing.push(kind);
    }
  }
  if (site.skip === 'super') site.skip = spec.superCallSkip;
  if (spec.usedYieldSkip && !d.returnTyped && d.suspensions.some((x) => x.kind === 'yield' && !x.unused && !x.delegates)) {
    site.skip ??= spec.usedYieldSkip;
  }
  if (!d.last && spec.style === 'indent') site.skip ??= 'the body holds only a docstring';
  const prevLine = site.headStart > 0 ? lineStart(text, site.headStart - breakBefore(text, site.headStart)) : -1;
  site.ignored = comments.some((c) => {
    const at = lineStart(text, c.startIndex);
    const onOwnLine = text.slice(at, c.startIndex).trim() === '';
    return (at === prevLine && onOwnLine) || at === site.headStart;
  });
}

/** The body's last named child that is not a comment. */
function lastStatement(body: Node): Node | undefined {
  let n = body.lastNamedChild;
  while (n && n.type === 'comment') n = n.previousNamedSibling;
  return n ?? undefined;
}

/**
 * Spans holding the entry probe's own statements, which deep sites must not see: the entry, and the
 * wrapper's handlers (the try statement after it, less the wrapped body).
 */
function probeScaffold(entry: Node | undefined): Span[] {
  if (!entry) return [];
  const out = [span(entry)];
  const wrapper = entry.nextNamedSibling;
  const body = wrapper?.childForFieldName('body');
  if (wrapper?.type === 'try_statement' && body) {
    out.push({ start: wrapper.startIndex, end: body.startIndex }, { start: body.endIndex, end: wrapper.endIndex });
  }
  return out;
}
