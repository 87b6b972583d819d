// Cache keys: a content hash of everything a function's plan depends on except what relocation
// substitutes (its name, file, line and base indentation). Owns the template version too.
// Must never put a file path, a name or a line number into a key: moving a function keeps its key.
// The key is xxHash64 (fast, not cryptographic): an entry keeps the text its key hashes, and a hit
// must match it (PlanCache.get), so a collision is a miss, never a wrong plan.
import { hash } from 'node:crypto';
import xxhash from 'xxhash-wasm';
import { readdirSync, readFileSync } from 'node:fs';
import type { LanguageSpec } from '../languages/spec.js';
import { PLAN_FORMAT_VERSION } from '../engine/plan.js';
import type { Span } from '../engine/types.js';
import { lineStart, nextLineStart } from '../engine/lines.js';
import { packagePath } from '../paths.js';
import type { FunctionBlock } from './function-block.js';
import { RELOCATION_FORMAT } from './relocate.js';

/** Settings that change a function's plan, as plain JSON (see `planSettings` in planner.ts). */
export type PlanSettings = Readonly<Record<string, string | number | boolean | readonly string[]>>;

export interface KeyInput {
  /** The language id (TypeScript and TSX share templates but not grammars). */
  lang: string;
  /** From templateVersion(): changes whenever templates, queries or the planner change. */
  version: string;
  settings: PlanSettings;
  /** canonicalSettings(settings), when the caller keys many functions with the same settings. */
  settingsText?: string;
  block: FunctionBlock;
  /** The function's range, whose ends are located within the block. */
  range: Span;
  /**
   * Whether a tab in the base changes the plan: an `indent` body sharing the def's line gets a
   * tab or four spaces from it. Other styles ignore it, so moving Go code under a tab keeps keys.
   */
  tabSensitive: boolean;
}

const { h64Raw } = await xxhash();

/**
 * The UTF-8 of the text a key hashes, written here piece by piece: hashing the joined string would
 * build (and collect) a copy of every function's text on each hit. Used only synchronously within
 * hashKeyed(), so one buffer serves every caller in this thread; it grows up to SCRATCH_MAX, and a
 * larger text (a minified bundle's function) gets a buffer of its own.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);
const SCRATCH_MAX = 4 * 1024 * 1024;

/** xxHash64 of keyedText({ head, body }) as 16 hex digits, without building that text. */
function hashKeyed(head: string, body: string): string {
  const most = (head.length + body.length) * 3 + 2;
  if (scratch.length < most && most <= SCRATCH_MAX) scratch = Buffer.allocUnsafe(Math.min(SCRATCH_MAX, Math.max(most, scratch.length * 2)));
  const buf = scratch.length < most ? Buffer.allocUnsafe(most) : scratch;
  let n = buf.write(head, 0);
  buf[n++] = 10;
  buf[n++] = 10;
  n += buf.write(body, n);
  return h64Raw(new Uint8Array(buf.buffer, buf.byteOffset, n)).toString(16).padStart(16, '0');
}

/** What a key hashes: a short head (language, versions, settings, ends) and the function's block. */
export interface Keyed {
  key: string;
  head: string;
  body: string;
}

/** The text a key hashes, as an entry keeps it for the collision check. */
export function keyedText(k: Pick<Keyed, 'head' | 'body'>): string {
  return `${k.head}\n\n${k.body}`;
}

/** `src` is the text `k` hashes (compared without building that text: hits are hot). */
export function sameKeyedText(src: string | undefined, k: Pick<Keyed, 'head' | 'body'>): boolean {
  const h = k.head.length;
  // slice() shares src's characters and === compares whole strings natively, several times
  // faster than endsWith() on a function's text.
  return src !== undefined && src.length === h + 2 + k.body.length && src.startsWith(k.head) && src.charCodeAt(h) === 10 && src.charCodeAt(h + 1) === 10 && src.slice(h + 2) === k.body;
}

/** The key, 16 hex digits; undefined when the function's ends have no block position. */
export function planKey(input: KeyInput): string | undefined {
  return keyOf(input)?.key;
}

/** The key and the text it hashes, in two parts (kept with the entry for the collision check). */
export function keyOf(input: KeyInput): Keyed | undefined {
  const { block, range } = input;
  const from = block.encode(range.start);
  const to = block.encode(range.end);
  if (!from || !to) return undefined;
  const tab = input.tabSensitive && block.base.includes('\t') ? 't' : 's';
  const settings = input.settingsText ?? canonical(input.settings);
  const head = `${input.lang}\n${input.version}\n${settings}\n${tab}\n${from[0]},${from[1]}\n${to[0]},${to[1]}`;
  const body = block.normalized;
  return { key: hashKeyed(head, body), head, body };
}

/** What an alias hashes besides the document: the same language, version and settings as the key. */
export interface AliasInput {
  lang: string;
  version: string;
  settingsText: string;
  text: string;
  range: Span;
}

export interface Aliased extends Keyed {
  /** Offset of the first line's start in the text, and that line's leading spaces and tabs. */
  start: number;
  base: string;
}

/**
 * The alias of a function (alias-index.ts): a key of the whole lines it spans as they stand, and of
 * its offsets in them, with its language, version and settings. Everything a key hashes follows
 * from these (its block, positions and tab mark are computed from exactly this text), so equal
 * alias texts have equal keys and keyed texts. The head is marked so that it never reads as a key's.
 */
export function aliasOf(input: AliasInput): Aliased {
  const { text, range } = input;
  const start = lineStart(text, range.start);
  const body = text.slice(start, nextLineStart(text, range.end));
  let b = 0;
  for (let c = body.charCodeAt(0); c === 32 || c === 9; c = body.charCodeAt(++b));
  const head = `${input.lang}\n${input.version}\n${input.settingsText}\nas it stands\n${range.start - start},${range.end - start}`;
  return { key: hashKeyed(head, body), head, body, start, base: body.slice(0, b) };
}

/**
 * A hash of what shapes plans for `spec` besides the function's text: the plan and relocation
 * formats, the descriptor (template functions by their source), its sites query, every language
 * descriptor's source and the planner's and the analysis's source, where the package ships them.
 */
export function templateVersion(spec: LanguageSpec): string {
  const parts = [`plan ${PLAN_FORMAT_VERSION}`, `relocation ${RELOCATION_FORMAT}`, describe(spec)];
  const read = (...path: string[]) => {
    try {
      parts.push(readFileSync(packagePath(...path), 'utf8'));
    } catch {
      parts.push(`(no ${path.join('/')})`);
    }
  };
  read(spec.folder, 'sites.scm');
  read('server', 'src', 'engine', 'plan.ts');
  read('server', 'src', 'engine', 'sites.ts');
  let folders: string[] = [];
  try {
    folders = readdirSync(packagePath('server', 'languages')).sort();
  } catch {
    // An install without the descriptor sources: their functions' source below still counts.
  }
  for (const folder of folders) if (!folder.includes('.')) read('server', 'languages', folder, 'language.ts');
  return hash('sha256', parts.join('\n\0\n'), 'hex').slice(0, 32);
}

function describe(spec: LanguageSpec): string {
  return JSON.stringify(spec, (_key, value: unknown) => (typeof value === 'function' ? String(value) : value));
}

/** The settings as keys hold them (see KeyInput.settingsText). */
export function canonicalSettings(settings: PlanSettings): string {
  return canonical(settings);
}

/** JSON with object keys sorted, so equal settings give equal keys whatever their order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : 1));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
