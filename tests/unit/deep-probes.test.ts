// Deep probes (variables, branches, loops, exceptions) on the edge cases the issue lists: where each
// probe lands, that strip restores the source byte for byte, that a second add changes nothing, and
// that "add only what is missing" fills in exactly the kinds asked for.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId, ProbeKind } from '../../server/src/engine/types.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create();
  for (const lang of ['python', 'javascript', 'typescript', 'tsx', 'go'] as const) await engine.ready(lang);
});

const IMPORT: Record<LanguageId, string> = {
  python: 'telemetry_runtime', javascript: './telemetry-runtime.cjs', typescript: './telemetry-runtime.cjs',
  tsx: './telemetry-runtime.cjs', go: 'example.com/m/telemetry', java: '', rust: '',
};

/** Adds every kind, checks round trip and idempotence, and returns the instrumented text. */
function instrument(lang: LanguageId, text: string, kinds?: ProbeKind[]): string {
  const opts = { relPath: 'x', runtimeImport: IMPORT[lang], kinds };
  const added = engine.add(lang, text, opts);
  expect(added.skipped).toEqual([]);
  expect(engine.strip(lang, added.text).text).toBe(text);
  expect(engine.add(lang, added.text, opts).text).toBe(added.text);
  expect(engine.analyze(lang, added.text).errorCount).toBe(engine.analyze(lang, text).errorCount);
  return added.text;
}

function compiles(cmd: string, args: string[], name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'deep-'));
  writeFileSync(join(dir, name), text);
  const r = spawnSync(cmd, [...args, name], { cwd: dir, encoding: 'utf8' });
  return r.status === 0 ? 'ok' : `${r.stdout}${r.stderr}`;
}

describe('Python deep probes', () => {
  it('places variable, branch, loop and exception probes where the names are bound', () => {
    const src = [
      'from __future__ import annotations',
      'def f(a, password):',
      '    """Docstring first."""',
      '    x, (y, *z) = a',
      '    if x: return y',
      '    for i in a:',
      '        if i: continue',
      '    else:',
      '        pass',
      '    try:',
      '        n = 1',
      '    except ValueError:',
      '        pass',
      '    finally:',
      '        pass',
      '    total = sum(v for v in a)',
      '    return total',
      '',
    ].join('\n');
    const out = instrument('python', src);
    expect(out).toContain('    """Docstring first."""\n    __tel = __r = _tm.on and _tm.enter(');
    expect(out.indexOf('from __future__')).toBeLessThan(out.indexOf('import telemetry_runtime'));
    expect(out).toContain('x, (y, *z) = a; __tel and _tm.var(__tel, 2, "x", x); __tel and _tm.var(__tel, 2, "y", y); __tel and _tm.var(__tel, 2, "z", z)');
    expect(out).toContain('if x: __tel and _tm.branch(__tel, 3, "if", "x"); return (__r := (y))');
    expect(out).toContain('        __l0 = __tel and _tm.loop(__tel, 4, "for")\n        for i in a:\n            __l0 and __l0.tick()\n            __tel and _tm.var(__tel, 4, "i", i)');
    // The loop's else belongs to the loop statement (not a branch): done follows it.
    expect(out).toMatch(/ {8}else:\n {12}pass\n {8}__l0 and __l0\.done\(\)/);
    expect(out).toContain('__tel and _tm.caught(__tel, 10)');
    expect(out).toContain('__tel and _tm.fin(__tel, 12)');
    // Comprehension variables are not the function's statements: no probe for v.
    expect(out).not.toContain('"v", v');
    expect(compiles('python3', ['-m', 'py_compile'], 'f.py', out)).toBe('ok');
  });

  it('redacts secret names and leaves class bodies, tabs and continuations intact', () => {
    const src = 'def g():\n\tapi_key = 1 + \\\n\t\t2\n\tclass C:\n\t\tq = 1\n\tglobal G\n\tG = api_key\n\treturn C\n';
    const out = instrument('python', src);
    expect(out).toContain('\t\t2; __tel and _tm.var(__tel, 1, "api_key")\n');
    expect(out).not.toContain('"q"');
    expect(out).toContain('G = api_key; __tel and _tm.var(__tel, 6, "G", G)');
    expect(compiles('python3', ['-m', 'py_compile'], 'g.py', out)).toBe('ok');
  });

  it('adds only the kinds asked for, and later only what is missing', () => {
    const src = 'def h(a):\n    for i in a:\n        n = i\n    return a\n';
    const entryOnly = instrument('python', src, ['function']);
    expect(entryOnly).not.toContain('_tm.loop');
    const site = engine.analyze('python', entryOnly).functions[0];
    expect(site.instrumented).toBe(true);
    expect(site.missing).toEqual(['variable', 'loop']);
    const withLoops = engine.add('python', entryOnly, { relPath: 'x', runtimeImport: IMPORT.python, kinds: ['loop'] });
    expect(withLoops.added).toEqual(['h']);
    expect(withLoops.text).toContain('_tm.loop(');
    expect(withLoops.text).not.toContain('_tm.var(');
    expect(engine.analyze('python', withLoops.text).functions[0].missing).toEqual(['variable']);
    expect(engine.strip('python', withLoops.text).text).toBe(src);
    expect(compiles('python3', ['-m', 'py_compile'], 'h.py', withLoops.text)).toBe('ok');
  });
});

describe('JavaScript and TypeScript deep probes', () => {
  it('skips braceless bodies, joins probes safely and keeps labels on their loops', () => {
    const src = [
      'function f(a) {',
      '  let x = 0',
      '  ;(a || []).forEach(String)',
      '  if (a) x++; else x--',
      '  outer: for (const [k, v] of a) {',
      '    switch (k) { case 1: case 2: x = v; break; default: continue outer; }',
      '  }',
      '  try { x = JSON.parse(a); } catch { x = 1; } finally { x++; }',
      '  while (x) x--;',
      '  return x',
      '}',
      '',
    ].join('\n');
    const out = instrument('javascript', src);
    // The declaration ends at the `;` opening line 3: the probe joins there, terminated, so the
    // parenthesised line cannot become a call of it.
    expect(out).toContain('  let x = 0\n  ; __tel && _tm.var(__tel, 1, "x", x);(a || [])');
    expect(out).not.toContain('"if"'); // braceless: no branch probe
    expect(out).toContain('const __l0 = __tel && _tm.loop(__tel, 4, "for-of");\n  outer: for');
    expect(out).toContain('case 1: case 2: __tel && _tm.branch(__tel, 5, "case", "2"); x = v;');
    expect(out).toContain('catch { __tel && _tm.caught(__tel, 7); x = 1;');
    expect(out).not.toContain('__l1'); // braceless while
    expect(compiles('node', ['--check'], 'f.js', out)).toBe('ok');
  });

  it('leaves TypeScript declarations alone and instruments JSX bodies', () => {
    const ts = 'type T = { a: number };\nabstract class A {\n  abstract m(): void;\n  over(a: string): void;\n  over(a: any) { const b: T = { a: 1 }; if (a) { return b; } }\n}\n';
    const out = instrument('typescript', ts);
    expect(out).toContain('const b: T = { a: 1 }; __tel && _tm.var(__tel, 0, "b", b);');
    expect(out).toContain('if (a) { __tel && _tm.branch(__tel, 0, "if", "a"); return');
    expect(out.match(/_tm\.enter/g)).toHaveLength(1);
    const tsx = 'export function V(p: { n: number }) {\n  const el = <b>{p.n}</b>;\n  return el;\n}\n';
    expect(instrument('tsx', tsx)).toContain('const el = <b>{p.n}</b>;\n  __tel && _tm.var(__tel, 1, "el", el);');
  });
});

describe('TypeScript probes that must not change types or meaning', () => {
  it('previews only real parameters, never names inside parameter or return types', () => {
    const out = instrument('typescript', 'function pick(keep: (name: string) => boolean): (offset: number) => boolean {\n  return keep;\n}\n');
    expect(out).toContain('_tm.enter("pick", "x", 1, { keep })');
  });

  it('leaves an await of a call with type arguments unwrapped, and keeps an awaited value typed', () => {
    const out = instrument('typescript', 'async function f(get: any, p: Promise<number[]>) {\n  const x = await get<number>(1);\n  const xs = await p;\n  return xs.map((v) => v + x);\n}\n');
    expect(out).toContain('const x = await get<number>(1);');
    expect(out).toContain('const xs = _tm.resume(__tel, await _tm.suspend(__tel, p));');
    expect(out).not.toContain('as any');
  });
});

describe('Go deep probes', () => {
  it('guards every probe, reports error branches, and leaves goto functions without loop probes', () => {
    const src = [
      'package p',
      '',
      'func F[T any](xs []T) (n int, err error) {',
      '\tdefer func() { recover() }()',
      '\tfor _, x := range xs {',
      '\t\t_ = x',
      '\t\tn++',
      '\t}',
      '\tif err != nil {',
      '\t\treturn',
      '\t}',
      '\tfor {',
      '\t\treturn',
      '\t}',
      '}',
      '',
      'func G() {',
      '\ti := 0',
      'L:',
      '\tfor i < 3 {',
      '\t\ti++',
      '\t\tgoto L',
      '\t}',
      '}',
      '',
      'func init() { x := 1; _ = x }',
      '',
    ].join('\n');
    const out = instrument('go', src);
    expect(out).toContain('\t__l0 := _tm.Loop(2, "for")\n\tfor _, x := range xs {\n\t\t__l0.Tick()\n\t\tif _tm.On() { _tm.Var(2, "x", x) }');
    expect(out).toContain('\tif err != nil {\n\t\tif _tm.On() { _tm.Branch(6, "if", "err != nil") }\n\t\tif _tm.On() { _tm.Caught(6, err) }');
    // An endless loop is a terminating statement: nothing may follow it.
    expect(out).toMatch(/__l1 := _tm\.Loop\(9, "for"\)\n\tfor \{\n\t\t__l1\.Tick\(\)\n\t\treturn\n\t\}\n\}/);
    const g = out.slice(out.indexOf('func G'));
    expect(g).not.toContain('_tm.Loop');
    expect(g).toContain('\t\ti++\n\t\tif _tm.On() { _tm.Var(4, "i", i) }\n\t\tgoto L');
    expect(out).toContain('x := 1; if _tm.On() { _tm.Var(0, "x", x) }; _ = x');
    expect(compiles('gofmt', ['-e'], 'p.go', out)).toBe('ok');
  });
});
