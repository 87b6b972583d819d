// Relocatable plans: a plan with its offsets turned into block positions and its text into a
// template whose placeholders stand for the base indentation, the function's name, file and line.
// A hit re-bases and fills it for where the function is now. Owns that format and its checks;
// must never trust a stored plan without asRelocatable(), and never fill one whose pinned values
// differ (a value left in the text without a placeholder ties the entry to that value).
import { INSERTION_KINDS, type Insertion, type InsertionKind, type Plan } from '../engine/plan.js';
import type { FunctionBlock, Pos } from './function-block.js';

/** Part of every key: bump it when this format changes. */
export const RELOCATION_FORMAT = 1;

export interface Values {
  name: string;
  relPath: string;
  line: number;
}

export interface StoredInsertion {
  p: Pos;
  /** Text with placeholders, filled by fromRelocatable(). */
  t: string;
  r: number;
  k: InsertionKind;
}

export interface RelocatablePlan {
  ins: StoredInsertion[];
  indent?: { from: Pos; to: Pos; unit: string };
  /** Values that appear in the text without a placeholder: the entry serves only these. */
  pinned?: Partial<Values>;
  /** The text the entry's key hashes (cache-key.ts): a hit must match it, as keys may collide. */
  src?: string;
}

const BASE = '\uE000';
const NAME = '\uE001';
const PATH = '\uE002';
const LINE = '\uE003';
/** `\uE004<n>\uE005`: the base without its last n characters. */
const PART = '\uE004';
const PART_END = '\uE005';
const PLACEHOLDER = /[\uE000-\uE005]/;
const PLACEHOLDERS = /[\uE000-\uE003]|\uE004(\d+)\uE005/g;
const BREAKS = /(\r\n|\r|\n)/;

/** The relocatable form of `plan`, or why it has none. */
export function toRelocatable(plan: Plan, block: FunctionBlock, values: Values): RelocatablePlan | string {
  if (PLACEHOLDER.test(values.name) || PLACEHOLDER.test(values.relPath)) return 'a placeholder character in a value';
  const ins: StoredInsertion[] = [];
  for (const x of plan.insertions) {
    const p = block.encode(plan.start + x.at);
    if (!p) return 'an insertion inside the base indentation';
    if (PLACEHOLDER.test(x.text)) return 'a placeholder character in the text';
    // Only the entry names the function, its file and line; deep probes hold relative lines.
    const based = withBase(x.text, p[1] === -1, block.base);
    ins.push({ p, t: x.kind === 'entry' ? withValues(based, values) : based, r: x.rank, k: x.kind });
  }
  let indent: RelocatablePlan['indent'];
  if (plan.indent) {
    const from = block.encode(plan.start + plan.indent.from);
    const to = block.encode(plan.start + plan.indent.to);
    if (!from || !to) return 'an indent region inside the base indentation';
    indent = { from, to, unit: plan.indent.unit };
  }
  const texts = ins.map((x) => x.t);
  const pinned: Partial<Values> = {};
  if (texts.some((t) => findToken(t, values.name) >= 0)) pinned.name = values.name;
  if (texts.some((t) => findToken(t, values.relPath) >= 0)) pinned.relPath = values.relPath;
  if (texts.some((t) => findToken(t, String(values.line)) >= 0)) pinned.line = values.line;
  return { ins, ...(indent && { indent }), ...(Object.keys(pinned).length > 0 && { pinned }) };
}

/** The plan for the function now at `start` in `block`; undefined when the entry cannot serve it. */
export function fromRelocatable(rel: RelocatablePlan, block: FunctionBlock, values: Values, start: number): Plan | undefined {
  const pin = rel.pinned;
  if (pin && ((pin.name !== undefined && pin.name !== values.name) || (pin.relPath !== undefined && pin.relPath !== values.relPath) || (pin.line !== undefined && pin.line !== values.line))) {
    return undefined;
  }
  const { base } = block;
  const fills: Record<string, string> = {
    [BASE]: base,
    [NAME]: JSON.stringify(values.name),
    [PATH]: JSON.stringify(values.relPath),
    [LINE]: String(values.line),
  };
  let short = false;
  const fill = (c: string, lack?: string) => {
    if (lack === undefined) return fills[c];
    short ||= Number(lack) > base.length;
    return base.slice(0, base.length - Number(lack));
  };
  const insertions: Insertion[] = [];
  for (const x of rel.ins) {
    const at = block.decode(x.p);
    if (at === undefined) return undefined;
    insertions.push({ at: at - start, text: filled(x.t, fills, fill), rank: x.r, kind: x.k });
  }
  if (short) return undefined;
  let indent: Plan['indent'];
  if (rel.indent) {
    const from = block.decode(rel.indent.from);
    const to = block.decode(rel.indent.to);
    if (from === undefined || to === undefined) return undefined;
    indent = { from: from - start, to: to - start, unit: rel.indent.unit };
  }
  return { start, insertions, indent };
}

/** `t` with its placeholders filled: plain string replacements unless a partial base is in it (hits are hot). */
function filled(t: string, fills: Record<string, string>, fill: (c: string, lack?: string) => string): string {
  if (t.includes(PART)) return t.replace(PLACEHOLDERS, fill);
  let out = t;
  for (const c of [BASE, NAME, PATH, LINE]) if (out.includes(c)) out = out.replaceAll(c, fills[c]!);
  return out;
}

/** Plans equal field by field: what a hit must reproduce. */
export function samePlan(a: Plan | undefined, b: Plan): boolean {
  if (!a || a.start !== b.start || a.insertions.length !== b.insertions.length) return false;
  for (let i = 0; i < a.insertions.length; i++) {
    const x = a.insertions[i];
    const y = b.insertions[i];
    if (x.at !== y.at || x.text !== y.text || x.rank !== y.rank || x.kind !== y.kind) return false;
  }
  const ai = a.indent;
  const bi = b.indent;
  return ai === bi || (!!ai && !!bi && ai.from === bi.from && ai.to === bi.to && ai.unit === bi.unit);
}

/** `value` as a RelocatablePlan, or undefined when it is not one (a stored entry is untrusted). */
export function asRelocatable(value: unknown): RelocatablePlan | undefined {
  if (!isObject(value) || !Array.isArray(value.ins)) return undefined;
  for (const x of value.ins as unknown[]) {
    if (!isObject(x) || !isPos(x.p) || typeof x.t !== 'string' || typeof x.r !== 'number' || !Number.isFinite(x.r)) return undefined;
    if (!(INSERTION_KINDS as readonly unknown[]).includes(x.k)) return undefined;
  }
  const indent = value.indent;
  if (indent !== undefined && (!isObject(indent) || !isPos(indent.from) || !isPos(indent.to) || typeof indent.unit !== 'string')) return undefined;
  if (value.src !== undefined && typeof value.src !== 'string') return undefined;
  const pinned = value.pinned;
  if (pinned !== undefined) {
    if (!isObject(pinned)) return undefined;
    if (pinned.name !== undefined && typeof pinned.name !== 'string') return undefined;
    if (pinned.relPath !== undefined && typeof pinned.relPath !== 'string') return undefined;
    if (pinned.line !== undefined && !Number.isInteger(pinned.line)) return undefined;
  }
  return value as unknown as RelocatablePlan;
}

/**
 * Puts a base placeholder where a line of inserted text begins with indentation: after each line
 * break, and at the start when the insertion opens a line. The text after the last break continues
 * the original line: it is indentation only when inserted after the line's indentation, not at the
 * line start (where the original line brings its own). A line sharing only part of the base gets
 * the placeholder for that part, as the block does for such lines.
 */
function withBase(text: string, atLineStart: boolean, base: string): string {
  const parts = text.split(BREAKS);
  const last = parts.length - 1;
  if (last === 0) return text;
  for (let i = 0; i <= last; i += 2) {
    const seg = parts[i];
    const use = i === 0 ? atLineStart && seg.length > 0 : i === last ? !atLineStart : seg.length > 0;
    if (!use) continue;
    let n = 0;
    while (n < base.length && seg[n] === base[n]) n++;
    parts[i] = (n === base.length ? BASE : `${PART}${base.length - n}${PART_END}`) + seg.slice(n);
  }
  return parts.join('');
}

/** Replaces the first quoted name, the first quoted path and then the first line number token. */
function withValues(text: string, values: Values): string {
  let out = replaceFirst(text, JSON.stringify(values.name), NAME);
  out = replaceFirst(out, JSON.stringify(values.relPath), PATH);
  const line = String(values.line);
  const at = findToken(out, line);
  return at >= 0 ? out.slice(0, at) + LINE + out.slice(at + line.length) : out;
}

function replaceFirst(text: string, find: string, by: string): string {
  const i = text.indexOf(find);
  return i < 0 ? text : text.slice(0, i) + by + text.slice(i + find.length);
}

const WORD = /[\p{L}\p{N}_$]/u;

/** Where `word` first stands alone: not part of a longer identifier, number or member access. */
function findToken(text: string, word: string): number {
  if (word === '') return -1;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if ((before === undefined || (before !== '.' && !WORD.test(before))) && (after === undefined || !WORD.test(after))) return at;
  }
  return -1;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isPos(v: unknown): v is Pos {
  return Array.isArray(v) && v.length === 2 && Number.isInteger(v[0]) && v[0] >= 0 && Number.isInteger(v[1]) && v[1] >= -1;
}

