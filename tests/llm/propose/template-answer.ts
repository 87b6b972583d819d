// What a model that answers correctly would send for one function: the template engine's own
// instrumentation of it (and of the functions nested in it), cut out of the instrumented file.
// Used by tests as the "model's" side; never by the product.
import { proposalSpan, type Engine, type NeedsLlm } from '../../../server/src/engine/engine.js';
import type { LanguageId, ProbeKind } from '../../../server/src/engine/types.js';

export function templateAnswer(
  engine: Engine,
  lang: LanguageId,
  text: string,
  need: Pick<NeedsLlm, 'range'>,
  relPath: string,
  kinds?: readonly ProbeKind[],
): string {
  const { start, end } = proposalSpan(text, need.range);
  const inside = (f: { range: { start: number; end: number } }) => f.range.start >= start && f.range.end <= end;
  const result = engine.add(lang, text, { relPath, runtimeImport: 'rt', ...(kinds && { kinds }) }, inside);
  // Python's handler lines go in at the start of the line after the function's last one.
  const after = text.startsWith('\r\n', end) ? end + 2 : text[end] === '\n' || text[end] === '\r' ? end + 1 : end;
  let before = 0;
  let within = 0;
  for (const c of result.changes) {
    // Nothing of the function goes in at its very start: what does is the import.
    if (c.start <= start) before += c.text.length;
    else if (c.start <= after) within += c.text.length;
  }
  return result.text.slice(start + before, end + before + within);
}
