// Checks the engine against the hand-written files under fixtures/<language>/. Caret comments in
// each file say which functions the analysis must report; every file must then survive add,
// a second add and strip exactly as the engine promises.
//
// Caret syntax: a comment line whose first non-blank text after `#` or `//` is `^` marks the
// nearest line above it that is not itself a caret line. The caret's column, counted in code
// points (tabs count one), is where a function's name starts on that line (its first token when
// anonymous). The text after the caret, up to the next caret or the end of the line, is one of:
//   function <qualified name>       a site that must carry telemetry
//   skipped <qualified name>: <why> a site with a skip reason containing <why>
//   ignored <qualified name>        a site under a `telemetry: ignore` comment
//   broken <qualified name>         a site holding a parse error
//   none <why>                      no site starts here (lambdas, bodiless declarations)
// Prefixed with `bug ` and followed by ` -- <why>`: an expectation the engine is known to get wrong,
// in its analysis or when adding telemetry. The site must exist, the other checks leave it out, and
// a test expected to fail holds the correct behaviour (so fixing the bug makes that test fail).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { everyKind } from '../../server/src/config/requirements.js';
import { Engine, type AddResult } from '../../server/src/engine/engine.js';
import type { FileAnalysis, FunctionSite, LanguageId } from '../../server/src/engine/types.js';
import { languageForPath } from '../../server/src/languages/registry.js';
import { lacksTelemetry } from '../../server/src/lsp/analyzer.js';
import { packagePath } from '../../server/src/paths.js';

/** The default requirements: every probe kind, of every function. */
const everything = { kinds: everyKind, functionTypes: ['*'] };

type State = 'function' | 'skipped' | 'ignored' | 'broken';

interface Caret {
  /** UTF-16 offset of the caret's column on the marked line. */
  offset: number;
  /** 1-based number of the marked line. */
  line: number;
  state: State | 'none';
  name: string;
  /** `skipped`: part of the skip reason; `none`: why there is no site. */
  reason: string;
  /** Why the engine gets this expectation wrong, when it is known to. */
  bug?: string;
}

const CARET_LINE = /^[ \t]*(?:#|\/\/)[ \t]*\^/;

function splitLines(text: string): { start: number; text: string }[] {
  const lines: { start: number; text: string }[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (let m = breaks.exec(text); m; m = breaks.exec(text)) {
    lines.push({ start, text: text.slice(start, m.index) });
    start = m.index + m[0].length;
  }
  lines.push({ start, text: text.slice(start) });
  return lines;
}

function parseNote(note: string, where: string): Omit<Caret, 'offset' | 'line'> {
  const bug = /^bug\s+(.*?)\s+--\s+(.+)$/.exec(note);
  if (bug) return { ...parseNote(bug[1], where), bug: bug[2] };
  const named = /^(function|ignored|broken)\s+(\S+)$/.exec(note);
  if (named) return { state: named[1] as State, name: named[2], reason: '' };
  const skipped = /^skipped\s+(\S+):\s+(.+)$/.exec(note);
  if (skipped) return { state: 'skipped', name: skipped[1], reason: skipped[2] };
  const none = /^none\s+(.+)$/.exec(note);
  if (none) return { state: 'none', name: '', reason: none[1] };
  throw new Error(`${where}: cannot read the caret note "${note}"`);
}

function parseCarets(text: string, file = 'text'): Caret[] {
  const carets: Caret[] = [];
  let marked: { start: number; text: string; number: number } | undefined;
  splitLines(text).forEach((line, index) => {
    if (!CARET_LINE.test(line.text)) {
      marked = { ...line, number: index + 1 };
      return;
    }
    const where = `${file}:${index + 1}`;
    if (!marked) throw new Error(`${where}: a caret line needs a line above it`);
    const chars = [...line.text];
    for (let col = chars.indexOf('^'); col >= 0; ) {
      const next = chars.indexOf('^', col + 1);
      const note = chars.slice(col + 1, next < 0 ? undefined : next).join('').trim();
      const before = [...marked.text].slice(0, col);
      if (before.length < col) throw new Error(`${where}: the caret is past the end of line ${marked.number}`);
      carets.push({ offset: marked.start + before.join('').length, line: marked.number, ...parseNote(note, where) });
      col = next;
    }
  });
  return carets;
}

function stateOf(site: FunctionSite): State {
  if (site.broken) return 'broken';
  if (site.ignored) return 'ignored';
  return site.skip === undefined ? 'function' : 'skipped';
}

/** `line:column state name`, with the column in UTF-16 code units, as a diff-friendly label. */
function label(text: string, line: number, offset: number, state: string, name: string, reason = ''): string {
  const column = offset - splitLines(text)[line - 1].start;
  return `${line}:${column} ${state} ${name}${reason ? `: ${reason}` : ''}`;
}

const caretLabel = (text: string, c: Caret) => label(text, c.line, c.offset, c.state, c.name, c.reason);

function siteLabel(text: string, site: FunctionSite, carets: Caret[]): string {
  const state = stateOf(site);
  let reason = site.skip ?? '';
  const caret = carets.find((c) => c.offset === site.nameRange.start && c.state === 'skipped');
  if (state === 'skipped' && caret && reason.includes(caret.reason)) reason = caret.reason;
  return label(text, site.line, site.nameRange.start, state, site.name, state === 'skipped' ? reason : '');
}

const languageFolders = ['python', 'javascript', 'typescript', 'go'];

function listFixtures(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return listFixtures(path);
      return languageForPath(path) ? [path] : [];
    });
}

const root = packagePath('fixtures');
const fixtures = languageFolders.flatMap((folder) => listFixtures(join(root, folder)));

const runtimeImports: Record<LanguageId, string> = {
  python: 'telemetry_runtime',
  javascript: './telemetry-runtime.cjs',
  typescript: './telemetry-runtime.cjs',
  tsx: './telemetry-runtime.cjs',
  go: 'example.com/fixtures/telemetry',
  java: '',
  rust: '',
};

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await Promise.all((['python', 'javascript', 'typescript', 'tsx', 'go'] as const).map((l) => engine.ready(l)));
});

describe('the caret parser', () => {
  it('reads caret columns in code points and turns them into UTF-16 offsets', () => {
    const text = 's = "😀"; def f(): pass\r\n#            ^ function f\r\n';
    expect(parseCarets(text)).toEqual([{ offset: 14, line: 1, state: 'function', name: 'f', reason: '' }]);
    expect(text.slice(14, 15)).toBe('f');
  });

  it('lets stacked caret lines and several carets on one line mark the same line', () => {
    const text = '    alpha();              beta();\n//  ^ function alpha      ^ function beta\n//  ^ none why\n';
    expect(parseCarets(text).map((c) => [c.offset, c.name])).toEqual([[4, 'alpha'], [26, 'beta'], [4, '']]);
  });

  it('reads skip reasons and known bugs', () => {
    const [skipped, bug] = parseCarets('xy\n#^ skipped f: only a docstring\n#^ bug ignored g -- see sites.ts\n');
    expect(skipped).toMatchObject({ state: 'skipped', name: 'f', reason: 'only a docstring' });
    expect(bug).toMatchObject({ state: 'ignored', name: 'g', bug: 'see sites.ts' });
  });

  it('rejects a note it cannot read', () => {
    expect(() => parseCarets('xyz\n# ^ fnuction f\n')).toThrow(/cannot read/);
  });
});

describe('the fixtures', () => {
  it('cover every language, including TSX', () => {
    const langs = new Set(fixtures.map((f) => languageForPath(f)!.id));
    expect([...langs].sort()).toEqual(['go', 'javascript', 'python', 'tsx', 'typescript']);
  });

  it('keep CRLF line endings in the files named for them', () => {
    const crlf = fixtures.filter((f) => f.includes('crlf'));
    expect(crlf.length).toBeGreaterThanOrEqual(4);
    for (const file of crlf) expect(readFileSync(file, 'utf8')).not.toMatch(/(?<!\r)\n/);
  });
});

describe.each(fixtures.map((f) => [relative(root, f), f]))('fixture %s', (rel, file) => {
  const text = readFileSync(file, 'utf8');
  const lang = languageForPath(file)!.id;
  const carets = parseCarets(text, rel);
  const bugs = carets.filter((c) => c.bug);
  const opts = { relPath: `fixtures/${rel}`, runtimeImport: runtimeImports[lang] };
  let analysis: FileAnalysis;
  let added: AddResult;
  const checked = (site: FunctionSite) => !bugs.some((b) => b.offset === site.nameRange.start);
  /** What the engine calls the functions behind known bugs (not always what their carets say). */
  const bugNames = () => new Set(analysis.functions.filter((s) => !checked(s)).map((s) => s.name));

  beforeAll(() => {
    analysis = engine.analyze(lang, text);
    added = engine.add(lang, text, opts);
  });

  it('reports exactly the functions its carets mark', () => {
    expect(carets.length).toBeGreaterThan(0);
    const expected = carets.filter((c) => c.state !== 'none' && !c.bug).map((c) => caretLabel(text, c));
    const actual = analysis.functions.filter(checked).map((s) => siteLabel(text, s, carets));
    expect(actual).toEqual(expected);
  });

  it('reports no function where a caret says none', () => {
    const starts = new Set(analysis.functions.flatMap((s) => [s.range.start, s.nameRange.start]));
    for (const c of carets.filter((c) => c.state === 'none')) expect(starts.has(c.offset), caretLabel(text, c)).toBe(false);
  });

  it('puts each name range exactly over the name it reports', () => {
    for (const site of analysis.functions) {
      const shown = text.slice(site.nameRange.start, site.nameRange.end);
      expect(shown.length, site.name).toBeGreaterThan(0);
      if (site.name.endsWith('<anonymous>')) expect(site.nameRange.start).toBe(site.range.start);
      else expect(site.name.endsWith(shown), `${site.name} vs ${shown}`).toBe(true);
    }
  });

  it('flags only intact functions that are neither skipped nor ignored', () => {
    const flagged = analysis.functions.filter((s) => lacksTelemetry(s, everything));
    const expected = carets.filter((c) => c.state === 'function' && !c.bug).map((c) => c.offset);
    expect(flagged.filter(checked).map((s) => s.nameRange.start)).toEqual(expected);
  });

  it('instruments every flagged function and no other', () => {
    const flagged = analysis.functions.filter((s) => checked(s) && lacksTelemetry(s, everything));
    const known = bugNames();
    expect(added.skipped.filter((s) => !known.has(s.name))).toEqual([]);
    expect(added.added.filter((name) => !known.has(name))).toEqual(flagged.map((s) => s.name));
    const after = engine.analyze(lang, added.text).functions;
    expect(after.map((s) => s.name)).toEqual(analysis.functions.map((s) => s.name));
    const got = after.filter((_, i) => checked(analysis.functions[i])).map((s) => `${s.name} ${s.instrumented}`);
    expect(got).toEqual(analysis.functions.filter(checked).map((s) => `${s.name} ${lacksTelemetry(s, everything)}`));
  });

  it('adds no parse errors', () => {
    expect(engine.analyze(lang, added.text).errorCount).toBe(analysis.errorCount);
  });

  it('imports the runtime exactly once', () => {
    expect(text).not.toContain(opts.runtimeImport);
    expect(added.text.split(opts.runtimeImport).length - 1).toBe(1);
    expect(engine.analyze(lang, added.text).hasImport).toBe(true);
  });

  it('changes nothing when telemetry is added a second time', () => {
    const again = engine.add(lang, added.text, opts);
    expect(again.changes).toEqual([]);
    expect(again.text).toBe(added.text);
  });

  it('restores the original text byte for byte when stripped', () => {
    const stripped = engine.strip(lang, added.text);
    expect(stripped.failed).toEqual([]);
    expect(stripped.removed.length).toBe(added.added.length);
    expect(stripped.text).toBe(text);
  });

  for (const bug of bugs) {
    // Expected to fail until the engine is fixed; then the caret should lose its `bug` prefix.
    it.fails(`handles "${caretLabel(text, bug)}" as marked (known engine bug: ${bug.bug})`, () => {
      expect(analysis.functions.map((s) => siteLabel(text, s, carets))).toContain(caretLabel(text, bug));
      expect(added.added.includes(bug.name)).toBe(bug.state === 'function');
    });
    it(`still finds a function on line ${bug.line} despite the known bug in ${bug.name}`, () => {
      expect(analysis.functions.some((s) => s.nameRange.start === bug.offset)).toBe(true);
    });
  }
});
