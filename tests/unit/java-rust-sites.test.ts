// Java and Rust have grammars, sites and strip but no templates: the engine finds their functions,
// reports which lack probes, honours suppression comments, leaves planning to the LLM layer, and
// strips the probe forms their runtime API describes back to the original byte for byte.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { languageById } from '../../server/src/languages/registry.js';
import { packagePath } from '../../server/src/paths.js';

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create();
  await engine.ready('java');
  await engine.ready('rust');
});

const read = (path: string) => readFileSync(packagePath(path), 'utf8');

const cases = [
  {
    lang: 'java' as const,
    original: 'fixtures/java/Calc.java',
    instrumented: 'fixtures/java/instrumented/Calc.java',
    functions: [
      ['Calc.Calc', 'constructor_declaration', ['scale']],
      ['Calc.add', 'method_declaration', ['a', 'b']],
      ['Calc.divide', 'method_declaration', ['a', 'b']],
      ['Calc.evens', 'method_declaration', ['n']],
      ['Calc.initial', 'method_declaration', ['s']],
      ['Calc.square', 'method_declaration', ['x']],
      ['Calc.serve', 'method_declaration', []],
      ['Calc.main', 'method_declaration', ['args']],
      ['Base.Base', 'constructor_declaration', ['label']],
    ],
  },
  {
    lang: 'rust' as const,
    original: 'fixtures/rust/main.rs',
    instrumented: 'fixtures/rust/instrumented/main.rs',
    functions: [
      ['Counter.new', 'function_item', []],
      ['Counter.add', 'function_item', ['self', 'n']],
      ['parse_sum', 'function_item', ['items']],
      ['checked_div', 'function_item', ['a', 'b']],
      ['boom', 'function_item', ['n']],
      ['serve', 'function_item', []],
      ['square', 'function_item', ['x']],
      ['main', 'function_item', []],
    ],
  },
];

describe.each(cases)('$lang', ({ lang, original, instrumented, functions }) => {
  it('finds every method, constructor and function with its qualified name, kind and parameters; closures and lambdas are not functions', () => {
    const analysis = engine.analyze(lang, read(original));
    expect(analysis.errorCount).toBe(0);
    expect(analysis.functions.map((f) => [f.name, f.kind, f.params])).toEqual(functions);
  });

  if (lang === 'rust') {
    it('skips a const fn, which cannot call the runtime, and reports it nowhere', () => {
      const analysis = engine.analyze('rust', 'pub const fn limit() -> u8 { 8 }\nfn free() {}\n');
      expect(analysis.functions.map((f) => [f.name, f.skip])).toEqual([['limit', 'a const fn cannot call the runtime'], ['free', undefined]]);
    });
  }

  it('reports every function without an entry probe as missing telemetry, except the one a `// telemetry: ignore` comment suppresses', () => {
    const analysis = engine.analyze(lang, read(original));
    expect(analysis.functions.filter((f) => f.ignored).map((f) => f.name)).toEqual(['square']
      .map((n) => (lang === 'java' ? `Calc.${n}` : n)));
    expect(analysis.functions.every((f) => !f.instrumented && f.missing.includes('function'))).toBe(true);
  });

  it('puts the suppression comment in the language comment syntax above the function', () => {
    const text = read(original);
    const fn = engine.analyze(lang, text).functions.find((f) => !f.ignored)!;
    const [change] = engine.ignore(lang, text, fn, 'generated');
    const edited = text.slice(0, change!.start) + change!.text + text.slice(change!.end);
    expect(change!.text.trim()).toBe('// telemetry: ignore -- generated');
    expect(engine.analyze(lang, edited).functions.find((f) => f.name === fn.name)!.ignored).toBe(true);
  });

  it('plans nothing itself: each function is reported as needing the LLM', () => {
    const result = engine.add(lang, read(original), { relPath: original, runtimeImport: '' });
    expect(result.changes).toEqual([]);
    expect(result.skipped).toEqual([]);
    expect(new Set(result.needsLlm.map((s) => s.reason))).toEqual(new Set([`no templates for ${lang}`]));
  });

  it('sees the hand-written instrumentation as covering every function it probes', () => {
    const analysis = engine.analyze(lang, read(instrumented));
    expect(analysis.errorCount).toBe(0);
    expect(analysis.functions.filter((f) => !f.ignored).every((f) => f.instrumented && f.missing.length === 0)).toBe(true);
  });

  it('strips the instrumented fixture back to the original byte for byte', () => {
    const stripped = engine.strip(lang, read(instrumented));
    expect(stripped.failed).toEqual([]);
    expect(stripped.text).toBe(read(original));
  });

  it('strips a CRLF copy back to the CRLF original', () => {
    const crlf = (t: string) => t.replace(/\n/g, '\r\n');
    const stripped = engine.strip(lang, crlf(read(instrumented)));
    expect(stripped.failed).toEqual([]);
    expect(stripped.text).toBe(crlf(read(original)));
  });

  it('strips the runtime API example back to its "before", so the prompt asks for exactly what strip removes', () => {
    const api = languageById(lang).runtimeApi!;
    const wrap = (body: string) => (lang === 'java' ? `class Calc {\n${body}\n}\n` : `${body}\n`);
    const stripped = engine.strip(lang, wrap(api.example.after));
    expect(stripped.failed).toEqual([]);
    expect(stripped.text).toBe(wrap(api.example.before));
  });

  it('leaves a function alone when a statement was put before its entry probe, and strips the others', () => {
    const text = read(instrumented);
    const [head, statement, name] = lang === 'java'
      ? ['public int add(int a, int b) {', ' int pre = 1;', 'Calc.add']
      : ['pub fn add(&mut self, n: i64) -> i64 {', ' let pre = 1;', 'Counter.add'];
    const edited = text.replace(head, head + statement);
    expect(edited).not.toBe(text);
    const stripped = engine.strip(lang, edited);
    expect(stripped.failed).toEqual([name]);
    expect(stripped.removed).toHaveLength(functions.length - 2);
  });

  it('describes a compile check with the placeholders the runner expands', () => {
    const argv = languageById(lang).compileChecks![0].argv;
    expect(argv).toContain('{file}');
    expect(argv.some((a) => a.includes('{out}'))).toBe(true);
  });
});

describe('names and kinds beyond the fixtures', () => {
  it('finds Java record compact constructors, interface default methods, enum constructors, anonymous-class methods and varargs, and no abstract method', () => {
    const text = [
      'record Point(int x, int y) {',
      '    Point { if (x < 0) throw new IllegalArgumentException(); }',
      '}',
      'interface Shape {',
      '    double area();',
      '    default String label(String... parts) { return String.join("-", parts); }',
      '}',
      'enum Size { S(1); final int n; Size(int n) { this.n = n; } }',
      'class Outer {',
      '    Runnable make() { return new Runnable() { public void run() { } }; }',
      '}',
      '',
    ].join('\n');
    const analysis = engine.analyze('java', text);
    expect(analysis.functions.map((f) => [f.name, f.kind, f.params])).toEqual([
      // A compact constructor's parameters are the record's components, declared outside it.
      ['Point.Point', 'compact_constructor_declaration', []],
      ['Shape.label', 'method_declaration', ['parts']],
      ['Size.Size', 'constructor_declaration', ['n']],
      ['Outer.make', 'method_declaration', []],
      ['Outer.make.run', 'method_declaration', []],
    ]);
  });

  it('puts a Rust suppression comment above the function\'s attributes, and honours one there', () => {
    const text = 'mod t {\n    #[test]\n    #[ignore]\n    fn slow() {}\n}\n';
    const fn = engine.analyze('rust', text).functions[0]!;
    const [change] = engine.ignore('rust', text, fn);
    const edited = text.slice(0, change!.start) + change!.text + text.slice(change!.end);
    expect(edited).toBe('mod t {\n    // telemetry: ignore\n    #[test]\n    #[ignore]\n    fn slow() {}\n}\n');
    expect(engine.analyze('rust', edited).functions[0]!.ignored).toBe(true);
  });

  it('finds Rust trait default methods, generic impls, functions in modules and nested fns, and no bodiless trait method', () => {
    const text = [
      'mod shapes {',
      '    pub trait Area { fn area(&self) -> f64; fn twice(&self) -> f64 { self.area() * 2.0 } }',
      '    pub struct Sq<T>(pub T);',
      '    impl<T: Copy> Sq<T> { pub fn get(&self) -> T { self.0 } }',
      '    pub fn outer(mut n: u32) -> u32 { fn inner(k: u32) -> u32 { k + 1 } n = inner(n); n }',
      '}',
      '',
    ].join('\n');
    const analysis = engine.analyze('rust', text);
    expect(analysis.functions.map((f) => [f.name, f.params])).toEqual([
      ['shapes.Area.twice', ['self']],
      ['shapes.Sq.get', ['self']],
      ['shapes.outer', ['n']],
      ['shapes.outer.inner', ['k']],
    ]);
  });
});
