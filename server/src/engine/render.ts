// Render: turns plans (relative insertions plus indent regions) into absolute, non-overlapping
// insertions on the original text. Owns how nested regions compose; never parses.
import type { Plan } from './plan.js';
import { nextLineStart } from './lines.js';
import { LINE_PREFIX_RANK } from './ranks.js';
import { insideAny } from './spans.js';
import type { Span, TextChange } from './types.js';

export interface PlannedFunction {
  range: Span;
  plan: Plan;
}

interface Piece {
  at: number;
  text: string;
  rank: number;
  seq: number;
}

interface Region {
  from: number;
  to: number;
  unit: string;
  range: Span;
}


/**
 * Absolute insertions for every planned function plus `extra` (the import). Lines inside an
 * indent region gain the region's unit, and so do lines that nested functions' insertions open
 * there, so a nested function instrumented in the same pass stays correctly indented.
 */
export function render(text: string, functions: PlannedFunction[], extra: Piece[], strings: Span[]): TextChange[] {
  const regions: Region[] = functions
    .filter((f) => f.plan.indent)
    .map((f) => ({
      from: f.plan.start + f.plan.indent!.from,
      to: f.plan.start + f.plan.indent!.to,
      unit: f.plan.indent!.unit,
      range: f.range,
    }))
    .sort((a, b) => a.from - b.from || b.to - a.to);
  const pieces: Piece[] = [...extra];
  let seq = pieces.length;

  for (const f of functions) {
    const prefix = regions
      .filter((r) => r.range.start <= f.range.start && f.range.end <= r.range.end && r.range !== f.range)
      .map((r) => r.unit)
      .join('');
    for (const ins of f.plan.insertions) {
      const at = f.plan.start + ins.at;
      const atLineStart = at === 0 || text[at - 1] === '\n' || text[at - 1] === '\r';
      const body = prefix ? indentInserted(ins.text, prefix, atLineStart) : ins.text;
      pieces.push({ at, text: body, rank: ins.rank, seq: seq++ });
    }
  }
  const inString = insideAny(strings);
  for (const region of regions) {
    for (let q = region.from; q < region.to; q = nextLineStart(text, q)) {
      const empty = q >= text.length || text[q] === '\n' || text[q] === '\r';
      if (!empty && !inString(q)) {
        pieces.push({ at: q, text: region.unit, rank: LINE_PREFIX_RANK, seq: seq++ });
      }
      if (nextLineStart(text, q) === q) break;
    }
  }
  return merge(pieces);
}

/** Adds `prefix` after each line break inside `body`, and before it when it opens a line. */
function indentInserted(body: string, prefix: string, atLineStart: boolean): string {
  const inner = body.replace(/(\r\n|\r|\n)(?=.)/gs, (nl) => nl + prefix);
  return atLineStart ? prefix + inner : inner;
}

function merge(pieces: Piece[]): TextChange[] {
  pieces.sort((a, b) => a.at - b.at || a.rank - b.rank || a.seq - b.seq);
  const out: TextChange[] = [];
  for (const p of pieces) {
    const last = out.at(-1);
    if (last && last.start === p.at) last.text += p.text;
    else out.push({ start: p.at, end: p.at, text: p.text });
  }
  return out.filter((c) => c.text.length > 0);
}

/** Applies sorted, non-overlapping changes. */
export function applyChanges(text: string, changes: readonly TextChange[]): string {
  let out = '';
  let pos = 0;
  for (const c of changes) {
    out += text.slice(pos, c.start) + c.text;
    pos = c.end;
  }
  return out + text.slice(pos);
}

export type { Piece };
