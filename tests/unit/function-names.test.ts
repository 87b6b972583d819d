import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  for (const lang of ['javascript', 'typescript'] as const) await engine.ready(lang);
});

/** Each function's name and the text its diagnostic covers. */
function names(text: string, lang: LanguageId = 'javascript'): [string, string][] {
  return engine.analyze(lang, text).functions.map((f) => [f.name, text.slice(f.nameRange.start, f.nameRange.end)]);
}

describe('function names', () => {
  it('come from a name, a member expression or this.x on the left of an assignment', () => {
    const text = 'f = function () { return 1; };\nthis.g = () => { return 2; };\na.b.h = function () { return 3; };\n';
    expect(names(text)).toEqual([['f', 'f'], ['this.g', 'this.g'], ['a.b.h', 'a.b.h']]);
  });

  it('never come from a destructuring pattern: the function keeps its positional name', () => {
    expect(names('[b] = function () { return 2; };\n')).toEqual([['<anonymous>', 'function']]);
  });

  it('never let a diagnostic span the lines of an object pattern on the left', () => {
    const pattern = Array.from({ length: 30 }, (_, i) => `  k${i},`).join('\n');
    const text = `({\n${pattern}\n} = function () {\n  return 1;\n});\n`;
    expect(names(text)).toEqual([['<anonymous>', 'function']]);
  });

  it('cover only the first line of a nameless function whose parameters span lines', () => {
    const text = 'run((\n  a,\n  b,\n) => {\n  return a + b;\n});\n';
    expect(names(text, 'typescript')).toEqual([['<anonymous>', '(']]);
  });

  it('keep a diagnostic on one line even when error recovery stretches a name', () => {
    const entries = Array.from({ length: 30 }, (_, i) => `  k${i}: v${i} +,`).join('\n');
    const text = `({\n${entries}\n} = function () {\n  return 1;\n});\n`;
    const found = names(text);
    expect(found.length).toBeGreaterThan(0);
    for (const [name, covered] of found) {
      expect(covered).not.toMatch(/[\r\n]/);
      expect(name).not.toMatch(/[\r\n]/);
    }
  });
});
