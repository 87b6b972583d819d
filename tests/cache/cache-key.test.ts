// Plan cache keys: stable when a function moves or is re-indented, different whenever what the
// plan depends on differs (its text, its language, the templates, the settings that shape it).
import { beforeAll, describe, expect, it } from 'vitest';
import xxhash from 'xxhash-wasm';
import { keyedText, keyOf as keyedOf, planKey, templateVersion, type PlanSettings } from '../../server/src/cache/cache-key.js';
import { FunctionBlock } from '../../server/src/cache/function-block.js';
import { PlanCache } from '../../server/src/cache/plan-cache.js';
import { SitePlanner } from '../../server/src/cache/site-planner.js';
import { Engine } from '../../server/src/engine/engine.js';
import { planFunction } from '../../server/src/engine/plan.js';
import type { Analysis, Site } from '../../server/src/engine/sites.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { languageById } from '../../server/src/languages/registry.js';
import { LANGUAGES } from './helpers.js';

let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  await Promise.all(LANGUAGES.map((l) => engine.ready(l)));
});

function site(lang: LanguageId, text: string, name: string): Site {
  const found = (engine.analyze(lang, text) as Analysis).functions.find((f) => f.name === name);
  if (!found) throw new Error(`no function ${name}`);
  return found;
}

function keyOf(lang: LanguageId, text: string, name: string, settings: PlanSettings = {}, version = 'v1'): string {
  const s = site(lang, text, name);
  const spec = languageById(lang);
  const key = planKey({ lang, version, settings, block: FunctionBlock.of(text, s.range)!, range: s.range, tabSensitive: spec.style === 'indent' });
  if (!key) throw new Error('no key');
  return key;
}

const PY = 'def area(w, h):\n    """Area."""\n    if w < 0:\n        return 0\n\n    return w * h\n';
const inClass = (body: string, indent: string) => `import os\n\n\nclass Shape:\n${body.replace(/^(?=.)/gm, indent)}`;

describe('a plan cache key', () => {
  it('stays the same when a function moves into a class, to another line and another file', () => {
    const top = keyOf('python', PY, 'area');
    expect(keyOf('python', inClass(PY, '    '), 'Shape.area')).toBe(top);
    expect(keyOf('python', `# a comment\n\n${PY}`, 'area')).toBe(top);
  });

  it('stays the same for a brace-language method re-indented with tabs instead of spaces', () => {
    const js = 'class A {\n  run(x) {\n    return x + 1;\n  }\n}\n';
    const tabs = 'class A {\n\t\trun(x) {\n\t\t  return x + 1;\n\t\t}\n}\n';
    expect(keyOf('javascript', tabs, 'A.run')).toBe(keyOf('javascript', js, 'A.run'));
  });

  it('stays the same when a comment left at column 0 inside a method moves along with it', () => {
    const text = 'class A:\n    def f(x):\n# note\n        return x\n';
    const deeper = 'class A:\n      def f(x):\n  # note\n          return x\n';
    expect(keyOf('python', deeper, 'A.f')).toBe(keyOf('python', text, 'A.f'));
    expect(keyOf('python', text.replace('# note', '    # note'), 'A.f')).not.toBe(keyOf('python', text, 'A.f'));
  });

  it('changes when the text changes by one space inside a line or one line break style', () => {
    const top = keyOf('python', PY, 'area');
    expect(keyOf('python', PY.replace('w * h', 'w *  h'), 'area')).not.toBe(top);
    expect(keyOf('python', PY.replace(/\n/g, '\r\n'), 'area')).not.toBe(top);
    expect(keyOf('python', PY.replace(/\n$/, ''), 'area')).not.toBe(top);
  });

  it('is the xxHash64 of the UTF-8 of the text it keeps, so entries stored before stay found', async () => {
    const { h64ToString } = await xxhash();
    const text = inClass('def naïve(s):\n    return s + "→ 😀"\n', '    ');
    const s = site('python', text, 'Shape.naïve');
    const keyed = keyedOf({ lang: 'python', version: 'v1', settings: { redact: 'ß' }, block: FunctionBlock.of(text, s.range)!, range: s.range, tabSensitive: true })!;
    expect(keyed.key).toBe(h64ToString(keyedText(keyed)));
    // A function larger than the hashing buffer ever grows (4 MiB of UTF-8) hashes the same way.
    const big = `def f():\n${'    x = "é"\n'.repeat(200_000)}`;
    const whole = { start: 0, end: big.length };
    const bigKeyed = keyedOf({ lang: 'python', version: 'v1', settings: {}, block: FunctionBlock.of(big, whole)!, range: whole, tabSensitive: true })!;
    expect(bigKeyed.key).toBe(h64ToString(keyedText(bigKeyed)));
    // And the shared buffer still serves the small ones after it.
    expect(keyedOf({ lang: 'python', version: 'v1', settings: { redact: 'ß' }, block: FunctionBlock.of(text, s.range)!, range: s.range, tabSensitive: true })!.key).toBe(keyed.key);
  });

  it('tells apart two functions that share their lines', () => {
    const text = 'call(function () { return 1; }, function () { return 1; });\n';
    const [a, b] = (engine.analyze('javascript', text) as Analysis).functions;
    const block = FunctionBlock.of(text, a.range)!;
    const key = (s: Site) => planKey({ lang: 'javascript', version: 'v', settings: {}, block, range: s.range, tabSensitive: false });
    expect(key(a)).not.toBe(key(b));
  });

  it('differs between languages, template versions and settings that change the output', () => {
    const ts = 'function f(x: number) {\n  return x;\n}\n';
    expect(keyOf('typescript', ts, 'f')).not.toBe(keyOf('tsx', ts, 'f'));
    expect(keyOf('python', PY, 'area', {}, 'v1')).not.toBe(keyOf('python', PY, 'area', {}, 'v2'));
    const kinds = keyOf('python', PY, 'area', { kinds: ['entry', 'exit'] });
    expect(keyOf('python', PY, 'area', { kinds: ['entry', 'exit', 'branch'] })).not.toBe(kinds);
    expect(keyOf('python', PY, 'area', { deep: true, kinds: ['entry', 'exit'] })).not.toBe(kinds);
    // The same settings written in another order are the same settings.
    expect(keyOf('python', PY, 'area', { b: 1, a: 'x' })).toBe(keyOf('python', PY, 'area', { a: 'x', b: 1 }));
  });

  it('keys a tab in a Python base, where a one-line body takes its indent unit from it', () => {
    const spaces = inClass('def f(): return 1\n', '    ');
    const tabs = inClass('def f(): return 1\n', '\t');
    expect(keyOf('python', tabs, 'Shape.f')).not.toBe(keyOf('python', spaces, 'Shape.f'));
    // Relocating the space-indented plan under a tab would keep its four-space unit: a wrong plan.
    const spec = languageById('python');
    const cache = new PlanCache();
    const first = new SitePlanner(spec, spaces, { relPath: 'a.py', runtimeImport: 'rt' }, cache);
    first.commit([first.plan(site('python', spaces, 'Shape.f'))]);
    const moved = site('python', tabs, 'Shape.f');
    const again = new SitePlanner(spec, tabs, { relPath: 'a.py', runtimeImport: 'rt' }, cache).plan(moved);
    expect(again.hit).toBeFalsy();
    expect(again.plan).toEqual(planFunction(spec, moved, tabs, { relPath: 'a.py' }));
  });
});

describe('the template version', () => {
  it('is stable for one language and changes with any template, the query folder or the language', () => {
    const py = languageById('python');
    const templates = py.templates!;
    expect(templateVersion(py)).toBe(templateVersion(py));
    expect(templateVersion({ ...py, templates: { ...templates, open: 'try:  # changed' } })).not.toBe(templateVersion(py));
    const entry = templates.entry;
    expect(templateVersion({ ...py, templates: { ...templates, entry: (i) => `${entry(i)} ` } })).not.toBe(templateVersion(py));
    expect(templateVersion({ ...py, folder: 'server/languages/go' })).not.toBe(templateVersion(py));
    expect(templateVersion(languageById('typescript'))).not.toBe(templateVersion(languageById('tsx')));
  });
});
