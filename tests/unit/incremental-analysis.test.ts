// Incremental analysis (engine/incremental.ts) against a fresh one: seeded random edits of windows
// of real files (python stdlib, Go's tree, node_modules JS and TS), each step re-analyzed from the
// previous step's analysis, the way the language server does after a reparse (incremental, or fresh
// where parse errors are involved), and compared field by field (planner details included) with
// analyzeTree on a fresh parse, parse errors or not.
// PROPERTY_SEED and PROPERTY_CASES replay one seed.
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Tree } from 'web-tree-sitter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analyzeSince } from '../../server/src/engine/incremental.js';
import { analyzeTree, moduleSyntaxMarks, type Analysis } from '../../server/src/engine/sites.js';
import { languageById } from '../../server/src/languages/registry.js';
import type { LanguageSpec } from '../../server/src/languages/spec.js';
import { reparse, sameSubtree } from '../../server/src/engine/reparse.js';
import { Grammars } from '../../server/src/parse/grammars.js';
import { applyAsEditor, randomChange, realSources, type Source } from '../property/edit-cases.js';
import { random, type Random } from '../property/random.js';

const first = Number(process.env.PROPERTY_SEED ?? 31_000);
const cases = Number(process.env.PROPERTY_CASES ?? 300);
const STEPS = 6;

let grammars: Grammars;
let sources: Source[];
/**
 * withErrors: steps analyzed incrementally with a parse error before or after the edit;
 * reparsedAroundErrors: steps whose tree was reparsed incrementally with a parse error in it.
 */
const counts = { steps: 0, incremental: 0, withErrors: 0, fresh: 0, functionsCompared: 0, reparsedAroundErrors: 0 };

beforeAll(async () => {
  grammars = await Grammars.create();
  for (const id of ['python', 'go', 'javascript', 'typescript'] as const) await grammars.load(languageById(id));
  sources = realSources();
});

afterAll(() => console.log('incremental analysis:', counts));

/** Edits that keep most files parsing (so that the incremental path runs), mixed with arbitrary ones. */
function edit(r: Random, text: string, donor: string, comment: string): string {
  const lines = text.split('\n');
  const line = r.int(lines.length);
  const kind = r.int(10);
  if (kind < 3) return applyAsEditor(text, randomChange(r, text, donor));
  if (kind === 3) lines.splice(line, 0, lines[r.int(lines.length)]!); // a copied line
  else if (kind === 4) lines.splice(line, 1); // a deleted line
  else if (kind === 5) lines.splice(line, 0, `${/^[ \t]*/.exec(lines[line] ?? '')![0]}${comment} telemetry: ignore`);
  else if (kind === 6) lines.splice(line, 0, ''); // a blank line
  else {
    // One character typed or deleted next to a letter: renames, comments, strings, keywords.
    const letters = [...text.matchAll(/[A-Za-z_]/g)].map((m) => m.index!);
    if (!letters.length) return text;
    const at = r.pick(letters);
    return r.chance(0.5) ? text.slice(0, at) + r.pick(['x', '_', '1', ' ']) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
  }
  return lines.join('\n');
}

function fresh(spec: LanguageSpec, text: string, compare?: Tree): Analysis {
  const tree = grammars.parse(spec, text);
  try {
    // The reparse must equal a fresh parse node for node, errors or not (engine/reparse.ts).
    if (compare) expect(sameSubtree(compare.rootNode.walk(), tree.rootNode.walk()), 'the reparse equals a fresh parse').toBe(true);
    return analyzeTree(spec, grammars.sitesQuery(spec), tree, text);
  } finally {
    tree.delete();
  }
}

function check(seed: number): void {
  const r = random(seed);
  const source = r.pick(sources);
  const spec = languageById(source.languageId as never);
  const all = readFileSync(source.path, 'utf8').split('\n');
  // Windows start and end at top-level lines (column 0, a keyword or a name), so that most parse.
  const tops = all.flatMap((l, i) => (/^[A-Za-z@]/.test(l) ? [i] : []));
  const from = tops.length ? r.pick(tops) : 0;
  const ends = tops.filter((i) => i > from + 100);
  const to = ends.length ? ends[Math.min(ends.length - 1, r.int(40))]! : all.length;
  let text = all.slice(from, to).join('\n');
  if (spec.id === 'go' && from > 0) text = `package p\n\n${text}`;
  const donor = readFileSync(r.pick(sources.filter((s) => s.languageId === source.languageId)).path, 'utf8');
  const query = grammars.sitesQuery(spec);
  let tree = grammars.parse(spec, text);
  let analysis = analyzeTree(spec, query, tree, text);
  try {
    for (let step = 0; step < STEPS; step++) {
      const next = edit(r, text, donor, spec.lineComment);
      const hadErrors = analysis.errorCount > 0;
      // As the server does (lsp/documents.ts): incremental where it equals a fresh parse, else fresh.
      const { tree: reparsed, edit: change, changed, reused } = reparse((t, old) => grammars.parse(spec, t, old), tree, text, next);
      tree.delete();
      tree = reparsed;
      const since = analyzeSince(spec, query, tree, next, { analysis, edit: change, changed });
      counts.steps++;
      if (since) counts.incremental++;
      else counts.fresh++;
      if (since && (hadErrors || tree.rootNode.hasError)) counts.withErrors++;
      if (reused && tree.rootNode.hasError) counts.reparsedAroundErrors++;
      analysis = since ?? analyzeTree(spec, query, tree, next);
      text = next;
      const expected = fresh(spec, text, tree);
      const where = `seed ${seed} (${source.path}:${from + 1}), step ${step + 1}`;
      expect(analysis, where).toEqual(expected);
      expect(moduleSyntaxMarks.get(analysis), where).toEqual(moduleSyntaxMarks.get(expected));
      counts.functionsCompared += expected.functions.length;
    }
  } finally {
    tree.delete();
  }
}

describe('incremental analysis', () => {
  it(`equals a fresh analysis after each of ${STEPS} random edits (${cases} seeded cases of real files)`, async () => {
    // The event loop turns between cases: a test thread blocked for a minute makes vitest's own
    // calls to its main process time out, which fails the run.
    for (let seed = first; seed < first + cases; seed++) {
      check(seed);
      await nextTurn();
    }
    // The incremental path itself must have run, not only the fallback, and with parse errors too.
    expect(counts.incremental).toBeGreaterThan(counts.steps / 2);
    expect(counts.withErrors).toBeGreaterThan(counts.steps / 10);
    expect(counts.reparsedAroundErrors).toBeGreaterThan(counts.steps / 20);
  }, 300_000);

  it('keeps the analysis of the functions a syntax error elsewhere in the file leaves alone', () => {
    const spec = languageById('python');
    const body = (name: string) => `def ${name}(a):\n    total = a\n    return total\n\n\n`;
    const before = `def broken(:\n${['first', 'second', 'third', 'fourth', 'fifth'].map(body).join('')}`;
    const after = before.replace('total = a\n    return total\n\n\ndef fifth', 'total = a + 1\n    return total\n\n\ndef fifth');
    const { analysis, expected, old } = step(spec, before, after);
    expect(analysis).toBeDefined();
    expect(analysis).toEqual(expected);
    expect(analysis!.errorCount).toBe(1);
    // Untouched functions keep their analysis objects; only the edited one is made again.
    const named = (name: string, a: Analysis) => a.functions.find((f) => f.name === name);
    expect(named('first', analysis!)).toBe(named('first', old));
    expect(named('fourth', analysis!)).not.toBe(named('fourth', old));
  });

  it('analyzes again a function whose head shares its line with the edited statement', () => {
    const spec = languageById('javascript');
    const before = 'x = 1;\nab; /* c */ function f() { return 1; }\ny = 2;\n';
    const { analysis, expected } = step(spec, before, before.replace('ab;', 'abx;'));
    expect(analysis?.functions[0]?.headStart).toBe(7);
    expect(analysis).toEqual(expected);
  });

  it('records the first package clause of a Go file that holds more after a syntax error', () => {
    const spec = languageById('go');
    const before = 'package p\n\nfunc a() {\n\tx := 1\n}\n\nvar s = []string{`\npackage q\n`}\n';
    const after = before.replace('var s = []string{`', 'var s = []string{');
    const { analysis, expected } = step(spec, before, after);
    expect(expected.packageClause).toEqual({ start: 0, end: 9 });
    expect(analysis).toEqual(expected);
  });
});

/** `before` analyzed, edited into `after` and reparsed as the server does, analyzed since, and afresh. */
function step(spec: LanguageSpec, before: string, after: string): { analysis: Analysis | undefined; expected: Analysis; old: Analysis } {
  const query = grammars.sitesQuery(spec);
  const tree = grammars.parse(spec, before);
  const old = analyzeTree(spec, query, tree, before);
  const { tree: next, edit, changed } = reparse((t, o) => grammars.parse(spec, t, o), tree, before, after);
  try {
    return { analysis: analyzeSince(spec, query, next, after, { analysis: old, edit, changed }), expected: fresh(spec, after), old };
  } finally {
    tree.delete();
    next.delete();
  }
}
