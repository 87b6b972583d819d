// Plan: turns one function site into an insertion plan. Pure: text and site in, data out.
//
// Plan format (JSON, never executed; offsets are relative to the function's start so a plan
// survives the function moving, and can be cached by content hash; bump PLAN_FORMAT_VERSION when
// this format or the planner's output for the same input changes, which invalidates cached plans):
//   {
//     "start": <absolute offset the plan was computed at>,
//     "insertions": [ { "at": <rel offset>, "text": "...", "rank": <order among equal offsets>,
//                       "kind": "entry" | "exit" | "return" | "suspend" | "resume"
//                             | "variable" | "branch" | "loop" | "exception" } ],
//     "indent": { "from": <rel line start>, "to": <rel end of last line>, "unit": "    " } | absent
//   }
// Every insertion is text added at one offset of the original; `indent` adds `unit` at the start
// of each non-empty line in [from, to) that does not start inside a multi-line string, and to each
// line that another function's insertions open inside that range. Insertions at one offset are
// applied by ascending rank: wider wraps open first and close last. Widths count the characters
// other than spaces and tabs, so a rank does not change when the function is re-indented and a
// cached plan keeps its ranks wherever it is reused. Kinds after `resume` are reserved for deep
// instrumentation (variables, branches, loops, exceptions).
// Must never read the text outside the function's lines: the plan cache keys on those lines only.
import type { LanguageSpec, Templates } from '../languages/spec.js';
import type { Site } from './sites.js';
import type { DeepKind, DeepPart } from './deep.js';
import { lineBreakAfter, lineEnd, lineStart, nextLineStart } from './lines.js';
import { CLOSE_RANK, OPEN_RANK } from './ranks.js';
import { DEFAULT_REDACT, type ProbeKind, type Span } from './types.js';

export const INSERTION_KINDS = [
  'import', 'entry', 'exit', 'return', 'suspend', 'resume',
  'variable', 'branch', 'loop', 'exception',
] as const;

export type InsertionKind = (typeof INSERTION_KINDS)[number];

export interface Insertion {
  at: number;
  text: string;
  rank: number;
  kind: InsertionKind;
}

export interface Plan {
  start: number;
  insertions: Insertion[];
  indent?: { from: number; to: number; unit: string };
}

export interface PlanInput {
  relPath: string;
  /** Kinds to insert where missing (default all). */
  kinds?: readonly ProbeKind[];
  /** Regex source of names whose values are never previewed (default DEFAULT_REDACT). */
  redact?: string;
}

/** Part of the plan cache key: bump it when plans change for the same function text. */
export const PLAN_FORMAT_VERSION = 4;


/** Why a language without templates gets no plan here: its functions are proposed by the LLM layer. */
export function needsLlm(spec: LanguageSpec): string {
  return `needs the LLM: no templates for ${spec.id}`;
}

type Templated = LanguageSpec & { templates: Templates };
const hasTemplates = (spec: LanguageSpec): spec is Templated => spec.templates !== undefined;

/** Builds the plan for one function, or a reason why it cannot be instrumented. */
export function planFunction(spec: LanguageSpec, site: Site, text: string, input: PlanInput): Plan | string {
  const abs: Insertion[] = [];
  const add = (at: number, body: string, rank: number, kind: InsertionKind) => abs.push({ at, text: body, rank, kind });
  let indent: Plan['indent'];
  if (!site.instrumented) {
    if (!hasTemplates(spec)) return needsLlm(spec);
    const shape = entryAndExit(spec, site, text, input, add);
    if (typeof shape === 'string') return shape;
    indent = shape;
  }
  deepInsertions(spec, site, input, indent?.unit ?? '', add);
  const start = site.range.start;
  return {
    start,
    insertions: abs.map((x) => ({ ...x, at: x.at - start })),
    indent: indent && { from: indent.from - start, to: indent.to - start, unit: indent.unit },
  };
}

type Add = (at: number, body: string, rank: number, kind: InsertionKind) => void;

const DEEP_KINDS: Record<DeepPart['role'], InsertionKind> = {
  variable: 'variable', branch: 'branch', exception: 'exception', loop: 'loop', tick: 'loop', done: 'loop',
};

/** The missing deep probes of the kinds asked for. `unit` indents own-line probes inside a new try body. */
function deepInsertions(spec: LanguageSpec, site: Site, input: PlanInput, unit: string, add: Add): void {
  const deep = spec.deep;
  if (!deep) return;
  const kinds = new Set<ProbeKind>(input.kinds ?? ['variable', 'branch', 'loop', 'exception']);
  const redact = new RegExp(input.redact ?? DEFAULT_REDACT, 'i');
  for (const s of site.detail.deep) {
    if (s.covered || !kinds.has(s.kind as DeepKind)) continue;
    for (const p of s.parts) {
      const t = deep.templates;
      const probe = p.role === 'variable' ? (redact.test(p.name!) ? t.redacted(p.rel, p.name!) : t.variable(p.rel, p.name!, p.byRef))
        : p.role === 'branch' ? t.branch(p.rel, p.label!, p.condition ?? null)
        : p.role === 'exception' ? t.exception(p.rel, p.label!, p.binding)
        : p.role === 'loop' ? t.loop(p.rel, p.handle!, p.label!)
        : p.role === 'tick' ? t.tick(p.handle!)
        : t.done(p.handle!);
      const body = p.form === 'line' ? `${unit}${p.indent}${probe}${p.nl}`
        : p.form === 'line-after' ? `${p.nl}${p.indent}${probe}`
        : p.form === 'inline-before' ? `${probe}${deep.sep}`
        : `${deep.sep}${probe}`;
      add(p.at, body, p.rank, DEEP_KINDS[p.role]);
    }
  }
}

/** Entry, exit and the wraps of returns and suspensions; the indent region when the body is re-indented. */
function entryAndExit(spec: Templated, site: Site, text: string, input: PlanInput, add: Add): Plan['indent'] | undefined | string {
  const size = width(text, site.range);
  const template = spec.templates.entry({ name: site.name, relPath: input.relPath, line: site.line, params: site.params });
  const nl = lineBreakAfter(text, site.range.start);
  const entryLines = template.split('\n');
  const joined = entryLines.map((l) => l.trim()).join(' ');
  let indent: Plan['indent'];

  if (spec.style === 'indent') {
    const shape = indentShape(text, site);
    if (typeof shape === 'string') return shape;
    const { first, last } = site.detail as Required<Pick<Site['detail'], 'first' | 'last'>>;
    const { bodyIndent: i, unit } = shape;
    const entry = entryLines.join(nl + i);
    const [except, fin] = spec.templates.close;
    if (shape.joined) {
      add(first.start, `${nl}${i}${entry}${nl}${i}${spec.templates.openJoined}${nl}${i}${unit}`, OPEN_RANK - size, 'entry');
    } else {
      add(lineStart(text, first.start), `${i}${entry}${nl}${i}${spec.templates.open}${nl}`, OPEN_RANK - size, 'entry');
      indent = { from: lineStart(text, first.start), to: lineEnd(text, last.end), unit };
    }
    const after = nextLineStart(text, last.end);
    const atEof = after === lineEnd(text, last.end);
    add(after, atEof ? `${nl}${i}${except}${nl}${i}${fin}` : `${i}${except}${nl}${i}${fin}${nl}`, CLOSE_RANK + size, 'exit');
  } else {
    const anchor = site.detail.prologueEnd;
    const closeBrace = site.body.end - 1;
    // A directive with no `;` (`()=>{"use strict"}`) cannot be followed on its line by a statement.
    const openPrologue = anchor > site.body.start + 1 && !text.slice(site.body.start, anchor).trimEnd().endsWith(';');
    const multiLine = openPrologue || /[\r\n]/.test(text.slice(site.body.start, site.body.end));
    const i = bodyIndent(text, site, spec.style === 'defer' ? '\t' : '  ');
    const entry = multiLine ? entryLines.join(nl + i) : joined;
    if (spec.style === 'defer') {
      add(anchor, multiLine ? `${nl}${i}${entry}` : ` ${entry};`, OPEN_RANK - size, 'entry');
    } else {
      add(anchor, `${multiLine ? nl + i : ' '}${entry}${spec.templates.open}`, OPEN_RANK - size, 'entry');
      const before = text.slice(lineStart(text, closeBrace), closeBrace);
      const ownLine = before.trim() === '';
      add(closeBrace, `${spec.templates.close[0]}${ownLine ? nl + before : ' '}`, CLOSE_RANK + size, 'exit');
    }
  }

  if (spec.style !== 'defer') {
    let order = 0;
    for (const value of site.detail.returns) {
      if (!joinsWord(text, value.start)) wrap(add, text, value, returnWrap(spec, site, value), 'return', order++);
    }
    for (const s of site.detail.suspensions) {
      if (s.kind === 'await' && !spec.wrapAwait) continue;
      if (s.operand && joinsWord(text, s.operand.start)) continue;
      if (!s.operand && asiHazardAfter(text, s.node.end, spec)) continue;
      if (s.kind === 'yield' && s.operand && spec.style === 'brace' && /[\r\n]/.test(text.slice(s.keywordEnd, s.operand.start))) continue;
      const resume = (s.unused && spec.templates.resumeUnused) || spec.templates.resume;
      wrap(add, text, s.node, resume, 'resume', order++);
      if (s.operand) wrap(add, text, s.operand, spec.templates.suspend, 'suspend', order++);
      else add(s.keywordEnd, spec.templates.bareSuspend, 0, 'suspend');
    }
  }
  return indent;
}

/** The return wrap: the language's form for a written return type (see Templates.retBy), else `ret`. */
function returnWrap(spec: Templated, site: Site, value: Site['detail']['returns'][number]): readonly [string, string] {
  const by = spec.templates.retBy;
  if (!site.detail.returnTyped || !by) return spec.templates.ret;
  return (site.isAsync && value.awaited && by.typedAwaited) || by.typed || spec.templates.ret;
}

/**
 * Wraps `s`. Wider wraps open first and close last; among wraps of the same span, the one added
 * first is outermost (the fraction shrinks with each wrap, so it opens earlier and closes later).
 */
function wrap(add: Add, text: string, s: Span, [pre, suf]: readonly [string, string], kind: InsertionKind, order: number): void {
  const size = width(text, s);
  const nest = 1 / (order + 2);
  add(s.start, pre, -size - nest, kind);
  add(s.end, suf, size + nest, kind);
}

/**
 * The width that orders wraps: characters other than spaces and tabs. A span that strictly holds
 * another also holds one more token, so nesting orders as by length, and re-indenting changes nothing.
 */
function width(text: string, s: Span): number {
  let n = 0;
  for (let i = s.start; i < s.end; i++) {
    const c = text.charCodeAt(i);
    if (c !== 32 && c !== 9) n++;
  }
  return n;
}

interface IndentShape {
  bodyIndent: string;
  unit: string;
  joined: boolean;
}

/** Indentation facts for an `indent` body, or why the body cannot be wrapped. */
function indentShape(text: string, site: Site): IndentShape | string {
  const { first } = site.detail;
  if (!first) return 'the body holds only a docstring';
  const defIndent = leadingWhitespace(text, lineStart(text, site.range.start));
  const firstLine = lineStart(text, first.start);
  const before = text.slice(firstLine, first.start);
  if (before.trim() !== '') {
    if (site.detail.prologueEnd !== site.body.start) return 'a statement shares a line with the docstring';
    const unit = defIndent.includes('\t') ? '\t' : '    ';
    return { bodyIndent: defIndent + unit, unit, joined: true };
  }
  if (!before.startsWith(defIndent) || before.length <= defIndent.length) return 'the body is not indented past the def';
  return { bodyIndent: before, unit: before.slice(defIndent.length), joined: false };
}

/** Indentation for a probe line in a brace body: the first statement's, or one step past the brace. */
function bodyIndent(text: string, site: Site, step: string): string {
  const first = site.detail.first;
  if (first) {
    const ls = lineStart(text, first.start);
    const before = text.slice(ls, first.start);
    if (before.trim() === '') return before;
  }
  return leadingWhitespace(text, lineStart(text, site.range.start)) + step;
}

function leadingWhitespace(text: string, from: number): string {
  let i = from;
  while (i < text.length && (text[i] === ' ' || text[i] === '\t')) i++;
  return text.slice(from, i);
}



/** `return(x)`: a wrap there would glue its name onto the keyword, so that value is left alone. */
function joinsWord(text: string, at: number): boolean {
  return at > 0 && /[\p{L}\p{N}_$]/u.test(text[at - 1]);
}

/**
 * A bare `yield` followed on the next line by `(`, `[`, a template, `+`, `-` or `/` ended its
 * statement by automatic semicolon insertion; a wrap would join the two lines, so it is left alone.
 * Looks only as far as the next character that is not white space, which lies inside the function.
 */
function asiHazardAfter(text: string, end: number, spec: LanguageSpec): boolean {
  if (spec.style !== 'brace') return false;
  let i = end;
  while (text[i] === ' ' || text[i] === '\t') i++;
  if (text[i] !== '\n' && text[i] !== '\r') return false;
  while (i < text.length && /\s/.test(text[i])) i++;
  return i < text.length && '([`+-/'.includes(text[i]);
}
