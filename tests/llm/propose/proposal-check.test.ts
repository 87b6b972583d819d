// The engine boundary for proposals: add() reports what templates cannot serve, checkProposal()
// turns a correct whole-function proposal into a plan, and add() with the adopted plans gives the
// same file the templates give.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../../server/src/engine/engine.js';
import type { LanguageId } from '../../../server/src/engine/types.js';
import { templateAnswer } from './template-answer.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create();
});

const fixtures: [LanguageId, string][] = [
  ['python', 'fixtures/python/functions.py'],
  ['javascript', 'fixtures/javascript/functions.js'],
  ['typescript', 'fixtures/typescript/functions.ts'],
  ['go', 'fixtures/go/functions.go'],
  ['python', 'fixtures/python/crlf.py'],
  ['javascript', 'fixtures/javascript/unicode.js'],
];

describe('proposals through the engine boundary', () => {
  it.each(fixtures)('%s %s: correct proposals for every function give the file the templates give', async (lang, file) => {
    await engine.ready(lang);
    const text = readFileSync(file, 'utf8');
    const opts = { relPath: file, runtimeImport: 'rt' };
    const first = engine.add(lang, text, { ...opts, forceLlm: true });
    expect(first.changes).toEqual([]);
    expect(first.needsLlm.length).toBeGreaterThan(0);
    const adopted = first.needsLlm.map((need) => {
      const check = engine.checkProposal(lang, text, need.offset, templateAnswer(engine, lang, text, need, file));
      if (!check.ok) throw new Error(`${need.name}: ${check.errors.join('; ')}`);
      expect(check.validations).toEqual(['reparse', 'strip-roundtrip', 'probe-calls']);
      return { offset: need.offset, plan: check.plan, provenance: { model: 'm', attempts: 1, validations: check.validations } };
    });
    const final = engine.add(lang, text, { ...opts, forceLlm: true }, undefined, undefined, { adopted });
    expect(final.needsLlm).toEqual([]);
    expect(final.skipped).toEqual([]);
    expect(final.text).toBe(engine.add(lang, text, opts).text);
    expect(engine.strip(lang, final.text).text).toBe(text);
  });

  it('reports a function whose template plan fails validation instead of dropping it', async () => {
    await engine.ready('python');
    const text = 'def f(x):\n    return _tm.ret(__tel, (x))\n\n\ndef g(y):\n    return y\n';
    const result = engine.add('python', text, { relPath: 'a.py', runtimeImport: 'rt' });
    expect(result.added).toEqual(['g']);
    expect(result.needsLlm).toMatchObject([{ name: 'f', reason: 'strip would not restore the original', lacks: ['function'] }]);
  });

  it('feeds back a line that changed, with its line in the function', async () => {
    await engine.ready('python');
    const text = 'def f(x):\n    y = x + 1\n    return y\n';
    const need = engine.add('python', text, { relPath: 'a.py', runtimeImport: 'rt', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'python', text, need, 'a.py');
    const check = engine.checkProposal('python', text, need.offset, good.replace('x + 1', 'x + 2'));
    expect(check).toEqual({ ok: false, errors: [expect.stringMatching(/differs from the original at line 2: the original has `y = x \+ 1`/)] });
  });

  it('accepts an answer wrapped in extra blank lines and indentation around it', async () => {
    await engine.ready('go');
    const text = 'package p\n\nfunc F(a int) int {\n\treturn a\n}\n';
    const need = engine.add('go', text, { relPath: 'p.go', runtimeImport: 'm/telemetry', forceLlm: true }).needsLlm[0];
    const good = templateAnswer(engine, 'go', text, need, 'p.go');
    expect(engine.checkProposal('go', text, need.offset, `\n  ${good}\n\n`).ok).toBe(true);
  });
});
