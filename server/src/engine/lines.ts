// Line arithmetic on document text for the engine: where lines start and end, and which line
// break a file uses. `\n`, `\r\n` and a lone `\r` all end a line, as in LSP. Offsets are UTF-16.
// (LSP positions are converted in server/src/text/positions.ts, not here.)

/** Offset of the start of the line holding `offset`. */
export function lineStart(text: string, offset: number): number {
  let i = offset;
  while (i > 0 && text[i - 1] !== '\n' && text[i - 1] !== '\r') i--;
  return i;
}

/** Length of the line break that ends just before `offset` (0 when none). */
export function breakBefore(text: string, offset: number): number {
  if (offset >= 2 && text[offset - 2] === '\r' && text[offset - 1] === '\n') return 2;
  return offset >= 1 && (text[offset - 1] === '\n' || text[offset - 1] === '\r') ? 1 : 0;
}

/** Offset just past the line break that ends the line holding `offset`, or the text length. */
export function nextLineStart(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) {
    if (text[i] === '\n') return i + 1;
    if (text[i] === '\r') return text[i + 1] === '\n' ? i + 2 : i + 1;
  }
  return text.length;
}

/** Offset of the line break ending the line that holds `offset` (or the text length). */
export function lineEnd(text: string, offset: number): number {
  for (let i = offset; i < text.length; i++) if (text[i] === '\n' || text[i] === '\r') return i;
  return text.length;
}

/** The line break style used at the end of the line holding `offset`; `\n` when there is none. */
export function lineBreakAfter(text: string, offset: number): string {
  const end = lineEnd(text, offset);
  if (text[end] === '\r') return text[end + 1] === '\n' ? '\r\n' : '\r';
  return '\n';
}
