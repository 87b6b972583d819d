// Full tier: the reparse after each of 32,000 seeded random edits of windows of real files (most of
// them holding syntax errors, as editing leaves them) equals a fresh parse node for node, and reuses
// the old tree with errors in it for a good share of them (engine/reparse.ts). PROPERTY_SEED and
// PROPERTY_CASES replay one seed.
import { readFileSync } from 'node:fs';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reparse, sameSubtree } from '../../server/src/engine/reparse.js';
import { languageById } from '../../server/src/languages/registry.js';
import { Grammars } from '../../server/src/parse/grammars.js';
import { applyAsEditor, randomChange, realSources, type Source } from '../property/edit-cases.js';
import { random, type Random } from '../property/random.js';

const first = Number(process.env.PROPERTY_SEED ?? 40_000);
const cases = Number(process.env.PROPERTY_CASES ?? 4_000);
const STEPS = 8;

let grammars: Grammars;
let sources: Source[];
const counts = { steps: 0, oldTreeWithErrors: 0, reusedWithErrors: 0 };

beforeAll(async () => {
  grammars = await Grammars.create();
  for (const id of ['python', 'go', 'javascript', 'typescript'] as const) await grammars.load(languageById(id));
  sources = realSources();
});

afterAll(() => console.log('reparse against a fresh parse:', counts));

/** An editor's change (brackets, snippets, line breaks) or one character typed or deleted by a letter. */
function edit(r: Random, text: string, donor: string): string {
  if (r.chance(0.5)) return applyAsEditor(text, randomChange(r, text, donor));
  const letters = [...text.matchAll(/[A-Za-z_]/g)].map((m) => m.index!);
  if (!letters.length) return text;
  const at = r.pick(letters);
  return r.chance(0.5) ? text.slice(0, at) + r.pick(['x', '_', '1', ' ', '(', ':', '\n']) + text.slice(at) : text.slice(0, at) + text.slice(at + 1);
}

function check(seed: number): void {
  const r = random(seed);
  const source = r.pick(sources);
  const spec = languageById(source.languageId as never);
  const lines = readFileSync(source.path, 'utf8').split('\n');
  const start = r.int(Math.max(1, lines.length - 8));
  let text = lines.slice(start, start + 20 + r.int(200)).join('\n');
  const donor = readFileSync(r.pick(sources.filter((s) => s.languageId === source.languageId)).path, 'utf8');
  let tree = grammars.parse(spec, text);
  try {
    for (let step = 0; step < STEPS; step++) {
      const next = edit(r, text, donor);
      counts.steps++;
      if (tree.rootNode.hasError) counts.oldTreeWithErrors++;
      const result = reparse((t, old) => grammars.parse(spec, t, old), tree, text, next);
      tree.delete();
      tree = result.tree;
      text = next;
      if (result.reused && tree.rootNode.hasError) counts.reusedWithErrors++;
      const fresh = grammars.parse(spec, text);
      try {
        expect(sameSubtree(tree.rootNode.walk(), fresh.rootNode.walk()), `seed ${seed} (${source.path}:${start + 1}), step ${step + 1}`).toBe(true);
      } finally {
        fresh.delete();
      }
    }
  } finally {
    tree.delete();
  }
}

describe('reparse, full tier', () => {
  it(`equals a fresh parse after each of ${STEPS} random edits (${cases} seeded cases of real files)`, async () => {
    // The event loop turns between cases: a test thread blocked for a minute makes vitest's own
    // calls to its main process time out, which fails the run.
    for (let seed = first; seed < first + cases; seed++) {
      check(seed);
      await nextTurn();
    }
    expect(counts.reusedWithErrors).toBeGreaterThan(counts.oldTreeWithErrors / 10);
  }, 1_800_000);
});
