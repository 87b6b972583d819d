// Owns every conversion between UTF-16 offsets and line/column coordinates:
//  - LSP positions, where a line ends at \n, \r\n or a lone \r (utf-16 position encoding);
//  - tree-sitter points, where rows count \n only (web-tree-sitter 0.25 columns are UTF-16 units).
// Must never be bypassed: no other module of the server counts lines or columns itself.

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface Point {
  row: number;
  column: number;
}

const LF = 10;
const CR = 13;

/** Line starts of one text, computed once; answers LSP position queries in O(log lines). */
export class LineIndex {
  private readonly starts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    // Built for every version of an open document: without a \r anywhere, the native search for \n
    // gives the same table several times faster than reading every character.
    if (text.indexOf('\r') === -1) {
      for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
      this.starts = starts;
      return;
    }
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === CR) {
        if (text.charCodeAt(i + 1) === LF) i++;
        starts.push(i + 1);
      } else if (ch === LF) {
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  /** Offset where `line`'s content ends, before its line break. */
  lineEnd(line: number): number {
    if (line >= this.starts.length - 1) return this.text.length;
    const next = this.starts[line + 1]!;
    const crlf = this.text.charCodeAt(next - 1) === LF && this.text.charCodeAt(next - 2) === CR;
    return next - (crlf ? 2 : 1);
  }

  positionAt(offset: number): Position {
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= clamped) low = mid;
      else high = mid - 1;
    }
    // An offset inside a line break (between \r and \n) belongs to the end of that line.
    const character = Math.min(clamped, this.lineEnd(low)) - this.starts[low]!;
    return { line: low, character };
  }

  /** LSP rule: a character past the end of the line means the end of the line. */
  offsetAt(position: Position): number {
    if (position.line < 0) return 0;
    if (position.line >= this.starts.length) return this.text.length;
    const start = this.starts[position.line]!;
    const character = Math.max(0, position.character);
    return Math.min(start + character, this.lineEnd(position.line));
  }

  rangeOf(span: { start: number; end: number }): Range {
    return { start: this.positionAt(span.start), end: this.positionAt(span.end) };
  }
}

/** Tree-sitter point of `offset`: rows count \n only, so a lone \r does not start a row. */
export function pointAt(text: string, offset: number): Point {
  let row = 0;
  let rowStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    row++;
    rowStart = i + 1;
  }
  return { row, column: offset - rowStart };
}
