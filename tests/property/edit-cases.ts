// Random edit sequences for the sync property test, as plain data: a window of a real file (Python's
// standard library, Go's source tree, the JS/TS in node_modules) and batches of LSP content changes
// an editor could send, with the line-break and bracket accidents editors really produce.
// Generation is pure and seeded: the same seed gives the same case. Never talks to a server.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { goSource, listFiles, pythonStdlib } from '../corpus/corpus.js';
import { random, type Random } from './random.js';

export interface Source {
  languageId: string;
  ext: string;
  path: string;
}

export interface EditCase {
  seed: number;
  languageId: string;
  ext: string;
  /** Where the window came from (for the report only). */
  origin: string;
  text: string;
  /** Batches of didChange notifications, each a list of content changes applied in order. */
  batches: TextDocumentContentChangeEvent[][][];
}

/** Real source files of each language present on this machine; small and not minified. */
export function realSources(): Source[] {
  const out: Source[] = [];
  const keep = (path: string) => {
    const text = readFileSync(path, 'utf8');
    return text.length < 200_000 && !text.includes('\0') && text.length / (text.split('\n').length || 1) < 120;
  };
  const add = (languageId: string, ext: string, paths: string[]) => {
    for (const path of paths) if (keep(path)) out.push({ languageId, ext, path });
  };
  const stdlib = pythonStdlib();
  add('python', '.py', listFiles(stdlib, (n) => n.endsWith('.py'), () => true).slice(0, 400));
  const go = goSource();
  if (go) {
    for (const pkg of ['strings', 'bufio', 'sort', 'encoding/json', 'go/parser', 'net/url', 'text/template']) {
      add('go', '.go', listFiles(join(go, pkg), (n) => n.endsWith('.go'), () => true));
    }
  }
  add('javascript', '.js', listFiles('node_modules', (n) => /\.(c|m)?js$/.test(n), (d) => d === 'typescript').filter((_, i) => i % 7 === 0));
  add('typescript', '.ts', listFiles('node_modules', (n) => n.endsWith('.ts') && !n.endsWith('.d.ts'), () => false));
  return out;
}

const BRACKETS = ['(', ')', '{', '}', '[', ']', '"', "'", '`', '"""', '/*', '*/', '${', ':'];
const ASTRAL = ['😀', '𝒻', '𝟘', '🇺🇸', 'é', '\u200b', '中'];
const SPLITS = ['\r', '\n', '\r\r\n', '\n\r', '', ' \r\n'];

/** A line that error recovery keeps to itself, per language (a missing bracket or value). */
const BROKEN_LINES: Record<string, string> = { python: 'def broken(:', javascript: 'x = (1;', typescript: 'x = (1;', go: 'var x = ;' };
const BROKEN_STREAM = 0x51ed;

/** `text` with its language's broken line inserted at the start of one of its lines. */
function withBrokenLine(r: Random, languageId: string, text: string): string {
  const lines = text.split('\n');
  const at = r.int(lines.length + 1);
  return [...lines.slice(0, at), BROKEN_LINES[languageId] ?? '(', ...lines.slice(at)].join('\n');
}

/** A case from `seed`: a window of 8 to 48 lines of a real file and up to 4 batches of changes. */
export function generateCase(seed: number, sources: Source[]): EditCase {
  const r = random(seed);
  const source = r.pick(sources);
  const lines = readFileSync(source.path, 'utf8').split('\n');
  const start = r.int(Math.max(1, lines.length - 8));
  let text = lines.slice(start, start + 8 + r.int(40)).join('\n');
  // Go files need their package clause to mean anything.
  if (source.languageId === 'go' && start > 0) text = `package p\n\n${text}`;
  // One case in five holds a syntax error away from its edits, as a file being written does, so that
  // the server analyzes edits with an error elsewhere in the tree. A stream of its own leaves the
  // other cases as they were.
  const broken = random(seed + BROKEN_STREAM);
  if (broken.chance(0.2)) text = withBrokenLine(broken, source.languageId, text);
  if (r.chance(0.25)) text = text.replace(/\n/g, '\r\n');
  else if (r.chance(0.1)) text = text.replace(/\n/g, () => r.pick(['\n', '\r\n', '\r']));
  const snippetFrom = r.pick(sources.filter((s) => s.languageId === source.languageId));
  const donor = readFileSync(snippetFrom.path, 'utf8');
  const kase: EditCase = { seed, languageId: source.languageId, ext: source.ext, origin: `${source.path}:${start + 1}`, text, batches: [] };
  let current = text;
  for (let b = 0, batches = 1 + r.int(4); b < batches; b++) {
    const batch: TextDocumentContentChangeEvent[][] = [];
    for (let n = 0, notes = 1 + r.int(3); n < notes; n++) {
      const changes: TextDocumentContentChangeEvent[] = [];
      for (let c = 0, count = 1 + r.int(3); c < count; c++) {
        const change = randomChange(r, current, donor);
        changes.push(change);
        current = applyAsEditor(current, change);
      }
      batch.push(changes);
    }
    kase.batches.push(batch);
  }
  return kase;
}

/** What an editor's buffer becomes: the change's range resolved against the text it applies to. */
export function applyAsEditor(text: string, change: TextDocumentContentChangeEvent): string {
  if (!('range' in change) || !change.range) return change.text;
  const oracle = TextDocument.create('file:///oracle', 'plaintext', 0, text);
  return TextDocument.applyEdits(oracle, [{ range: change.range, newText: change.text }]);
}

export function randomChange(r: Random, text: string, donor: string): TextDocumentContentChangeEvent {
  const oracle = TextDocument.create('file:///oracle', 'plaintext', 0, text);
  const at = (offset: number) => oracle.positionAt(whole(text, offset));
  const ranged = (from: number, to: number, insert: string): TextDocumentContentChangeEvent => ({
    range: { start: at(from), end: at(Math.max(from, to)) },
    text: insert,
  });
  const anywhere = () => r.int(text.length + 1);
  const snippet = () => {
    const from = r.int(Math.max(1, donor.length - 1));
    return donor.slice(from, from + 1 + r.int(60));
  };
  const find = (pattern: RegExp): number | undefined => {
    const hits = [...text.matchAll(pattern)].map((m) => m.index!);
    return hits.length ? r.pick(hits) : undefined;
  };
  const kind = r.int(100);
  if (kind < 22) {
    const o = anywhere();
    return ranged(o, o, snippet());
  }
  if (kind < 36) {
    const o = anywhere();
    return ranged(o, o + r.int(30), '');
  }
  if (kind < 46) {
    const o = anywhere();
    return ranged(o, o + r.int(20), snippet());
  }
  if (kind < 53) {
    const o = anywhere();
    return ranged(o, o, '\r');
  }
  if (kind < 61) {
    // A lone CR typed before an LF: the two become one CRLF line break.
    const o = find(/(?<!\r)\n/g) ?? anywhere();
    return ranged(o, o, r.pick(['\r', '\r', 'x\r']));
  }
  if (kind < 66) {
    // An LF typed after a lone CR: the start of the next line, as LSP counts it.
    const o = find(/\r(?!\n)/g);
    return o === undefined ? ranged(0, 0, '\r\n') : ranged(o + 1, o + 1, '\n');
  }
  if (kind < 72) {
    // A CRLF replaced by something else: the range runs from the line's end to the next line's start.
    const o = find(/\r\n/g) ?? find(/\n/g) ?? anywhere();
    return ranged(o, o + (text[o] === '\r' ? 2 : 1), r.pick(SPLITS));
  }
  if (kind < 79) {
    const o = anywhere();
    return ranged(o, o, Array.from({ length: 1 + r.int(3) }, () => r.pick(ASTRAL)).join(''));
  }
  if (kind < 90) {
    const o = anywhere();
    return ranged(o, o, Array.from({ length: 1 + r.int(3) }, () => r.pick(BRACKETS)).join(''));
  }
  if (kind < 96) {
    const o = anywhere();
    const depth = 10 + r.int(70);
    const open = r.pick(['(', '[', '{', 'f(', 'if x:\n' + ' '.repeat(4)]);
    return ranged(o, o, open.repeat(depth));
  }
  // A full-text change: every line break converted, as a "change line endings" command does.
  return { text: r.chance(0.5) ? text.replace(/\r?\n|\r/g, '\r\n') : text.replace(/\r\n?/g, '\n') };
}

/** Moves an offset off the middle of a surrogate pair: editors never split a character. */
function whole(text: string, offset: number): number {
  const o = Math.max(0, Math.min(offset, text.length));
  const before = text.charCodeAt(o - 1);
  return o > 0 && before >= 0xd800 && before <= 0xdbff ? o - 1 : o;
}

/**
 * Smaller cases than `kase` that may still fail: without a batch, a notification or a change, or
 * with a part of the starting text cut (later ranges clamp, as LSP positions do).
 */
export function* shrinkCandidates(kase: EditCase): Generator<EditCase> {
  const { batches } = kase;
  for (let b = 0; b < batches.length; b++) yield { ...kase, batches: batches.filter((_, i) => i !== b) };
  for (let b = 0; b < batches.length; b++) {
    for (let n = 0; n < batches[b]!.length; n++) {
      if (batches[b]!.length > 1) yield { ...kase, batches: batches.map((x, i) => (i === b ? x.filter((_, j) => j !== n) : x)) };
      const changes = batches[b]![n]!;
      if (changes.length < 2) continue;
      for (let c = 0; c < changes.length; c++) {
        yield { ...kase, batches: batches.map((x, i) => (i === b ? x.map((y, j) => (j === n ? y.filter((_, k) => k !== c) : y)) : x)) };
      }
    }
  }
  const lines = kase.text.split('\n');
  for (let size = lines.length >> 1; size >= 1; size >>= 1) {
    for (let from = lines.length - size; from >= 0; from -= size) {
      yield { ...kase, text: [...lines.slice(0, from), ...lines.slice(from + size)].join('\n') };
    }
  }
}
