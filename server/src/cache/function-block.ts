// Function block: the whole lines a function spans, read with the indentation of its first line
// (the base) taken out, so that a function keeps its cache key and its plan when it moves to
// another line, file or indentation. Owns the line model and the mapping between offsets and
// block positions. Must never read the document outside the block's lines.
//
// Each non-empty line is read as the part of the base it starts with (all of it, usually; less for
// a comment or a string's continuation left of the function) and the rest. The key holds how much
// of the base a line lacks and the rest, and positions count after the part of the base it has, so
// a function whose lines all gain or lose the same leading indentation keeps its key and plan.
import { lineStart, nextLineStart } from '../engine/lines.js';
import type { Span } from '../engine/types.js';

/**
 * [line index in the block, column after the line's part of the base]; column -1 is the line
 * start, before any indentation.
 */
export type Pos = readonly [line: number, column: number];

export class FunctionBlock {
  private constructor(
    readonly text: string,
    /** Offset of the first line's start. */
    readonly start: number,
    /** Offset just past the last line's break, or the end of the text. */
    readonly end: number,
    /** Leading spaces and tabs of the first line. */
    readonly base: string,
    /** The block's lines with the base removed and other lines marked: what the key hashes. */
    readonly normalized: string,
    /** Offset of every line's start. */
    private readonly lines: number[],
  ) {}

  /** The block of the lines holding `range`; undefined when the text holds a NUL (used as a mark). */
  static of(text: string, range: Span): FunctionBlock | undefined {
    const start = lineStart(text, range.start);
    const end = nextLineStart(text, range.end);
    const raw = text.slice(start, end);
    if (raw.includes('\0')) return undefined;
    let b = 0;
    while (raw[b] === ' ' || raw[b] === '\t') b++;
    const base = raw.slice(0, b);
    const cr = raw.includes('\r');
    const lines = lineStarts(raw, start, cr);
    let normalized = raw;
    if (b > 0) {
      // Usually every line is empty or starts with the base: then one native replace does. Each
      // line but the first that starts with the base lost it, so the replace did for every line
      // exactly when those lines and the empty ones are all the others (counted, not checked one
      // by one: a hit on a method spends its time here).
      const replaced = cr ? '' : raw.slice(b).replaceAll(`\n${base}`, '\n');
      const all = !cr && (raw.length - b - replaced.length) / b + emptyLines(raw) === lines.length - 1;
      normalized = all ? replaced : normalize(text, lines, end, base);
    }
    return new FunctionBlock(text, start, end, base, normalized, lines);
  }

  get endsWithBreak(): boolean {
    const last = this.text[this.end - 1];
    return this.end > this.start && (last === '\n' || last === '\r');
  }

  /** The position of `offset`, or undefined where it has none (inside the line's part of the base). */
  encode(offset: number): Pos | undefined {
    if (offset < this.start || offset > this.end) return undefined;
    const { lines } = this;
    if (offset === this.end && this.endsWithBreak) return [lines.length, -1];
    let lo = 0;
    let hi = lines.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lines[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    const column = offset - lines[lo];
    if (this.isEmpty(lo)) return column === 0 ? [lo, -1] : undefined;
    const shared = this.shared(lo);
    const c = this.text[offset];
    // Column 0 before indentation is the line start; before code it moves with the indentation.
    if (column === 0 && (shared > 0 || c === ' ' || c === '\t')) return [lo, -1];
    return column >= shared ? [lo, column - shared] : undefined;
  }

  /** The offset of `pos` in this block, or undefined when the block has no such position. */
  decode(pos: Pos): number | undefined {
    const [k, c] = pos;
    const { lines } = this;
    if (k === lines.length) return c === -1 && this.endsWithBreak ? this.end : undefined;
    if (k < 0 || k > lines.length) return undefined;
    if (c === -1) return lines[k];
    const at = lines[k] + this.shared(k) + c;
    return at <= this.end ? at : undefined;
  }

  private isEmpty(k: number): boolean {
    const at = this.lines[k];
    const c = this.text[at];
    return at >= this.end || c === '\n' || c === '\r';
  }

  /** How many leading characters line k shares with the base. */
  private shared(k: number): number {
    const { text, base } = this;
    const at = this.lines[k];
    let i = 0;
    while (i < base.length && text[at + i] === base[i]) i++;
    return i;
  }
}

/** How many lines of `raw` (a block without `\r`) after its first are empty. */
function emptyLines(raw: string): number {
  let n = 0;
  for (let i = raw.indexOf('\n\n'); i >= 0; i = raw.indexOf('\n\n', i + 1)) n++;
  return n;
}

/** Offsets of the line starts of `raw`, which starts at `start` in the text. */
function lineStarts(raw: string, start: number, cr: boolean): number[] {
  const lines = [start];
  const last = raw.length - 1;
  if (!cr) {
    for (let i = raw.indexOf('\n'); i >= 0 && i < last; i = raw.indexOf('\n', i + 1)) lines.push(start + i + 1);
    return lines;
  }
  for (let i = 0; i < last; i++) {
    const c = raw.charCodeAt(i);
    if (c === 13 && raw.charCodeAt(i + 1) === 10) i++;
    if ((c === 10 || c === 13) && i < last) lines.push(start + i + 1);
  }
  return lines;
}

/**
 * Line by line: a line starting with the base loses it; an empty line stays; any other line
 * becomes NUL, how many characters of the base it lacks, NUL, and the line without the part of
 * the base it has.
 */
function normalize(text: string, lines: number[], end: number, base: string): string {
  const parts: string[] = [];
  for (let k = 0; k < lines.length; k++) {
    const at = lines[k];
    const next = k + 1 < lines.length ? lines[k + 1] : end;
    let i = 0;
    while (i < base.length && text[at + i] === base[i]) i++;
    const empty = text[at] === '\n' || text[at] === '\r';
    parts.push(i === base.length || empty ? text.slice(at + i, next) : `\0${base.length - i}\0${text.slice(at + i, next)}`);
  }
  return parts.join('');
}
