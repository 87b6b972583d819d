// Deep sites: turns a function's deep captures (variables, branches, loops, exceptions) into
// plain placements for the planner (placed by deep-placement.ts), and finds which sites already
// carry their probe.
// Runs inside sites.ts while the tree is alive; keeps no node past the call. Language knowledge
// stays in the .scm captures and the `deep` data of the language descriptor.
import type { Node } from 'web-tree-sitter';
import type { DeepSpec, LanguageSpec } from '../languages/spec.js';
import { after, atStart, before, SLOT, type Placement } from './deep-placement.js';
import type { ProbeKind, Span } from './types.js';

export type DeepKind = Exclude<ProbeKind, 'function'>;

/** What a deep probe statement does; the runtime call it makes. */
export type DeepRole = 'variable' | 'branch' | 'exception' | 'loop' | 'tick' | 'done';

export interface DeepPart extends Placement {
  role: DeepRole;
  /** Probe line minus the function's line. */
  rel: number;
  name?: string;
  label?: string;
  condition?: string | null;
  binding?: string;
  handle?: string;
  /** A variable site captured `@var.after.ref`: the template takes the variable by reference. */
  byRef?: boolean;
}

/** One site: a statement binding names, a branch, a loop (three parts), a handler. */
export interface DeepSite {
  kind: DeepKind;
  parts: DeepPart[];
  covered: boolean;
}

/** A deep capture owned by a function, as the query gave it. */
export interface DeepCapture {
  name: string;
  node: Node;
  /** Other captures of the same match (`condition`, `enter.body`, `loop.body`, `exception.binding`). */
  with: Record<string, Node | undefined>;
}

export interface DeepResult {
  sites: DeepSite[];
  /** Probe statements already in the function (deleted by strip). */
  probes: Span[];
}

const CONDITION_MAX = 80;

/** `scaffold`: spans of the entry probe and its wrapper, where no site is looked for. */
export function resolveDeep(spec: LanguageSpec, captures: DeepCapture[], body: Node, fnLine: number, text: string, scaffold: Span[]): DeepResult {
  const deep = spec.deep!;
  const probeRole = new Map<number, DeepRole>();
  const probes: Span[] = [];
  let handles = -1;
  let loopsBlocked = false; // the function holds a node that rules loop probes out (Go: goto)
  const handle = new RegExp(`${deep.handlePrefix}(\\d+)`);
  for (const c of captures) {
    if (c.name === 'loop.blocker') loopsBlocked = true;
    if (!c.name.startsWith('probe.')) continue;
    probeRole.set(c.node.id, c.name.slice(6) as DeepRole);
    probes.push({ start: c.node.startIndex, end: c.node.endIndex });
    const m = handle.exec(c.node.text);
    if (c.name === 'probe.loop' && m) handles = Math.max(handles, Number(m[1]));
  }
  const fenced = [...probes, ...scaffold];
  const insideProbe = (n: Node) => fenced.some((p) => p.start <= n.startIndex && n.endIndex <= p.end);
  const ctx: Ctx = { spec, deep, body, text, fnLine, probeRole };
  const sites: DeepSite[] = [];
  for (const c of captures) {
    if (c.name.startsWith('probe.') || c.name === 'loop.blocker' || insideProbe(c.node)) continue;
    const [kind, label] = splitName(c.name);
    const site = kind === 'var.after' || kind === 'var.after.ref' ? variableAfter(ctx, c.node, c.with['var.stmt'], kind === 'var.after.ref')
      : kind === 'var.enter' ? variableEnter(ctx, c.node, c.with['enter.body'])
      : kind === 'branch' ? branch(ctx, c.node, label, c.with.condition)
      : kind === 'exception' ? exception(ctx, c.node, label, c.with['exception.binding'])
      : kind === 'loop' && !loopsBlocked ? loop(ctx, c.node, label, c.with['loop.body'], () => `${deep.handlePrefix}${++handles}`)
      : undefined;
    if (site) sites.push(site);
  }
  return { sites: merge(sites), probes };
}

/**
 * The deep kinds of a function that have a site lacking its probe: what `resolveDeep` reports as
 * uncovered sites with parts, for the light scan, which needs the kinds only. The same site rules,
 * stopping at the first uncovered site of each kind (merging only ever leaves a site uncovered when
 * one of its parts was, so the first one decides).
 */
export function lackingDeepKinds(spec: LanguageSpec, captures: DeepCapture[], body: Node, fnLine: number, text: string, scaffold: Span[]): Set<DeepKind> {
  const deep = spec.deep!;
  const probeRole = new Map<number, DeepRole>();
  const probes: Span[] = [];
  let loopsBlocked = false;
  for (const c of captures) {
    if (c.name === 'loop.blocker') loopsBlocked = true;
    if (!c.name.startsWith('probe.')) continue;
    probeRole.set(c.node.id, c.name.slice(6) as DeepRole);
    probes.push({ start: c.node.startIndex, end: c.node.endIndex });
  }
  const fenced = [...probes, ...scaffold];
  const insideProbe = (n: Node) => fenced.length > 0 && fenced.some((p) => p.start <= n.startIndex && n.endIndex <= p.end);
  const ctx: Ctx = { spec, deep, body, text, fnLine, probeRole, unranked: true };
  const lacking = new Set<DeepKind>();
  for (const c of captures) {
    if (lacking.size === 4) break;
    const { kind, label, deepKind } = scanName(c.name);
    if (!deepKind || (deepKind === 'loop' && loopsBlocked) || lacking.has(deepKind) || insideProbe(c.node)) continue;
    const site = kind === 'var.after' || kind === 'var.after.ref' ? variableAfter(ctx, c.node, c.with['var.stmt'], kind === 'var.after.ref')
      : kind === 'var.enter' ? variableEnter(ctx, c.node, c.with['enter.body'])
      : kind === 'branch' ? branch(ctx, c.node, label, c.with.condition)
      : kind === 'exception' ? exception(ctx, c.node, label, c.with['exception.binding'])
      : loop(ctx, c.node, label, c.with['loop.body'], () => deep.handlePrefix);
    if (site && !site.covered && site.parts.length) lacking.add(deepKind);
  }
  return lacking;
}

/** What the site rules and placements (deep-placement.ts) read about one function. */
export interface Ctx {
  spec: LanguageSpec;
  deep: DeepSpec;
  body: Node;
  text: string;
  fnLine: number;
  probeRole: Map<number, DeepRole>;
  /** Only whether sites exist is wanted: ranks (a walk over each construct's text) are left at 0. */
  unranked?: boolean;
}

/** A capture name read once per name, not once per capture: most captures are passed over. */
const scanNames = new Map<string, { kind: string; label: string; deepKind?: DeepKind }>();
function scanName(name: string): { kind: string; label: string; deepKind?: DeepKind } {
  let read = scanNames.get(name);
  if (!read) {
    const [kind, label] = splitName(name);
    const probe = name.startsWith('probe.') || name === 'loop.blocker';
    const deepKind: DeepKind | undefined = probe ? undefined
      : kind.startsWith('var.') ? 'variable' : kind === 'branch' || kind === 'exception' || kind === 'loop' ? kind : undefined;
    read = { kind, label, deepKind };
    scanNames.set(name, read);
  }
  return read;
}

function splitName(name: string): [string, string] {
  if (name.startsWith('var.')) return [name, ''];
  const dot = name.indexOf('.');
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}

/** Names bound by a target: an identifier, or the names inside a destructuring pattern. */
function boundNames(deep: DeepSpec, target: Node): string[] {
  if (deep.names.includes(target.type)) return target.text === '_' ? [] : [target.text];
  const fields = deep.patterns[target.type];
  if (!fields) return [];
  const kids = fields === '*'
    ? target.namedChildren.filter((c): c is Node => !!c)
    : fields.map((f) => target.childForFieldName(f)).filter((c): c is Node => !!c);
  return kids.flatMap((k) => boundNames(deep, k));
}

/**
 * The statement holding `node`: the outermost-first ancestor whose parent is a statement container,
 * provided no barrier (a class body) lies between it and the function's body.
 */
function statementOf(ctx: Ctx, node: Node): Node | undefined {
  let stmt: Node | undefined;
  for (let n: Node | null = node; n && n.id !== ctx.body.id; n = n.parent) {
    const parent: Node | null = n.parent;
    if (!parent || ctx.deep.barriers.includes(parent.type)) return undefined;
    if (!stmt && ctx.deep.containers[parent.type] !== undefined) stmt = n;
  }
  return stmt;
}

/** True when `node` is the function's own: inside its body with no barrier between. */
function owned(ctx: Ctx, node: Node): boolean {
  if (!within(node, ctx.body)) return false;
  for (let n: Node | null = node; n && n.id !== ctx.body.id; n = n.parent) {
    if (ctx.deep.barriers.includes(n.type)) return false;
  }
  return true;
}

function variableAfter(ctx: Ctx, target: Node, expected: Node | undefined, byRef = false): DeepSite | undefined {
  const names = boundNames(ctx.deep, target);
  const stmt = statementOf(ctx, target);
  if (!names.length || !stmt || ctx.probeRole.has(stmt.id)) return undefined;
  if (expected && expected.id !== stmt.id) return undefined; // e.g. a declaration in a loop header
  const covered = roleOf(ctx, nextStatement(stmt)) === 'variable';
  const parts: DeepPart[] = [];
  const place = after(ctx, stmt, SLOT.variable, false);
  if (!place) return undefined;
  for (const [i, name] of names.entries()) {
    parts.push({ ...place, rank: place.rank + i / 64, role: 'variable', rel: relLine(ctx, stmt), name, ...(byRef ? { byRef } : {}) });
  }
  return { kind: 'variable', parts, covered };
}

function variableEnter(ctx: Ctx, target: Node, block: Node | undefined): DeepSite | undefined {
  const names = boundNames(ctx.deep, target);
  if (!names.length || !block || !owned(ctx, block)) return undefined;
  const start = atStart(ctx, block, 'variable');
  if (!start) return undefined;
  return {
    kind: 'variable',
    parts: names.map((name, i) => ({ ...start.place, rank: start.place.rank + i / 64, role: 'variable' as const, rel: relLine(ctx, target), name })),
    covered: start.leading.includes('variable'),
  };
}

function branch(ctx: Ctx, block: Node, label: string, condition: Node | undefined): DeepSite | undefined {
  if (!owned(ctx, block)) return undefined;
  const start = atStart(ctx, block, 'branch');
  if (!start) return undefined;
  const part: DeepPart = { ...start.place, role: 'branch', rel: relLine(ctx, block.parent ?? block), label, condition: condition ? conditionText(condition) : null };
  return { kind: 'branch', parts: [part], covered: start.leading.includes('branch') };
}

function exception(ctx: Ctx, block: Node, clause: string, binding: Node | undefined): DeepSite | undefined {
  if (!owned(ctx, block)) return undefined;
  const start = atStart(ctx, block, 'exception');
  if (!start) return undefined;
  const bound = binding && ctx.deep.names.includes(binding.type) ? binding.text : undefined;
  const part: DeepPart = { ...start.place, role: 'exception', rel: relLine(ctx, block.parent ?? block), label: clause, binding: bound };
  return { kind: 'exception', parts: [part], covered: start.leading.includes('exception') };
}

function loop(ctx: Ctx, node: Node, kind: string, block: Node | undefined, nextHandle: () => string): DeepSite | undefined {
  const stmt = statementOf(ctx, node);
  if (!stmt || !block || !owned(ctx, block)) return undefined;
  const covered = roleOf(ctx, previousStatement(stmt)) === 'loop';
  const start = atStart(ctx, block, 'tick');
  const entry = before(ctx, stmt, SLOT.loop);
  if (!start || !entry) return undefined;
  const endless = kind.endsWith('.endless');
  const label = endless ? kind.slice(0, -'.endless'.length) : kind;
  const done = endless ? undefined : after(ctx, stmt, SLOT.done, true);
  if (covered) return { kind: 'loop', parts: [], covered };
  const handle = nextHandle();
  const rel = relLine(ctx, node);
  const parts: DeepPart[] = [
    { ...entry, role: 'loop', rel, label, handle },
    { ...start.place, role: 'tick', rel, handle },
  ];
  if (done) parts.push({ ...done, role: 'done', rel, handle });
  return { kind: 'loop', parts, covered };
}

function nextStatement(stmt: Node): Node | null {
  let n = stmt.nextNamedSibling;
  while (n && n.type === 'comment') n = n.nextNamedSibling;
  return n;
}

/** The statement before `stmt`, past comments (a loop's handle may sit above a directive comment). */
function previousStatement(stmt: Node): Node | null {
  let n = stmt.previousNamedSibling;
  while (n && n.type === 'comment') n = n.previousNamedSibling;
  return n;
}

function roleOf(ctx: Ctx, n: Node | null): DeepRole | undefined {
  return n ? ctx.probeRole.get(n.id) : undefined;
}

/**
 * Variable sites at one place merge (one statement binding names from several captures); any other
 * site found twice (a Go case listing several types) is kept once.
 */
function merge(sites: DeepSite[]): DeepSite[] {
  const byAt = new Map<string, DeepSite>();
  const out: DeepSite[] = [];
  for (const s of sites) {
    const p = s.parts[0];
    if (!p) {
      out.push(s);
      continue;
    }
    const key = `${s.kind}:${p.role}:${p.form}:${p.at}`;
    if (s.kind !== 'variable') {
      if (!byAt.has(key)) out.push(s);
      byAt.set(key, s);
      continue;
    }
    const prev = byAt.get(key);
    if (!prev) {
      byAt.set(key, s);
      out.push(s);
      continue;
    }
    const seen = new Set(prev.parts.map((x) => x.name));
    for (const part of s.parts) {
      if (seen.has(part.name)) continue;
      seen.add(part.name);
      prev.parts.push({ ...part, rank: p.rank + prev.parts.length / 64 });
    }
    prev.covered &&= s.covered;
  }
  return out;
}

/** The node's first line relative to the function's line (rows as tree-sitter counts them, like the function's). */
function relLine(ctx: Ctx, node: Node): number {
  return node.startPosition.row + 1 - ctx.fnLine;
}

function conditionText(node: Node): string {
  const t = node.text.replace(/\s+/g, ' ').trim();
  return t.length > CONDITION_MAX ? `${t.slice(0, CONDITION_MAX - 1)}…` : t;
}

function within(inner: Node, outer: Node): boolean {
  return outer.startIndex <= inner.startIndex && inner.endIndex <= outer.endIndex;
}
