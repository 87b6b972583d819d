// TypeScript probes keep every type the original had: each case below is instrumented in full by
// the real engine and type-checked strictly (TypeScript's own compiler, in process) beside its
// original, with the runtime's .d.cts. The instrumented copy must have no error the original lacks,
// and emit the same declarations, so no inferred type (a return, a generator's, a literal's) moved.
// The first three cases are the ones found in the Anthropic SDK's sources (issue 15).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { removeScratch } from '../runtime/helpers.js';
import { scratchDir } from '../behaviour/harness.js';

const CASES: Record<string, string> = {
  'literal-union-return': `
type Arch = 'x32' | 'x64' | 'arm' | 'arm64' | \`other:\${string}\` | 'unknown';
export const normalizeArch = (arch: string): Arch => {
  if (arch === 'x32') return 'x32';
  if (arch === 'x86_64' || arch === 'x64') return 'x64';
  if (arch) return \`other:\${arch}\`;
  return 'unknown';
};
type PlatformName = 'MacOS' | 'Linux' | \`Other:\${string}\` | 'Unknown';
export function normalizePlatform(platform: string): PlatformName {
  if (platform.includes('darwin')) return 'MacOS';
  if (platform) return \`Other:\${platform}\`;
  return 'Unknown';
}
`,
  'this-through-await': `
declare function requestAPIList<Item, PageClass extends AbstractPage<Item>>(Page: new (...args: any[]) => PageClass, options: object): Promise<PageClass>;
export abstract class AbstractPage<Item> {
  abstract items(): Item[];
  async getNextPage(): Promise<this> {
    const nextOptions = { page: 2 };
    return await requestAPIList(this.constructor as any, nextOptions);
  }
}
`,
  'evolving-declarations': `
export function createPath(statics: string[]) {
  const invalidSegments = [];
  let last;
  let seen = null;
  let none = undefined;
  for (const s of statics) {
    if (s === '..') invalidSegments.push({ start: 0, length: s.length });
    last = s;
    seen = s;
    none = 1;
  }
  return [invalidSegments, last, seen, none] as const;
}
`,
  'every-form': `
export function inferredLiteral() { return 'a'; }
export function inferredUnion(b: boolean) { if (b) return 'a'; return 'b'; }
export function inferredArray() { return [1, 2]; }
export function inferredTemplate(a: string) { return \`x\${a}\`; }
export function asConst() { return [1, 2] as const; }
export function satisfiesForm() { return { a: 1 } satisfies Record<string, number>; }
export function readonlyTuple(): readonly [number, string] { return [1, 'a']; }
export function generic<T>(x: T): T { return x; }
export function genericInferred<T>(x: T) { return [x]; }
export function never(msg: string): never { throw new Error(msg); }
export function isString(x: unknown): x is string { return typeof x === 'string'; }
export function assertString(x: unknown): asserts x is string { if (typeof x !== 'string') throw new Error('no'); }
export function over(x: string): string;
export function over(x: number): number;
export function over(x: string | number): string | number { return x; }
export function callbackCtx(): (n: number) => number { return (n) => n + 1; }
export function conditionalTemplate(a: string, b: boolean): 'x' | \`o:\${string}\` { return b ? \`o:\${a}\` : 'x'; }
export async function asyncTemplate(a: string): Promise<'x' | \`o:\${string}\`> { return \`o:\${a}\`; }
export async function asyncThen(p: Promise<number | undefined>): Promise<IteratorResult<number>> {
  return p.then((c) => (c ? { value: c, done: false } : { value: undefined, done: true }));
}
export async function asyncAwaitCtx(p: Promise<number[]>) { const xs = await p; return xs.map((x) => x + 1); }
export class Page {
  next(): this { return this; }
  chain() { return this; }
}
export function typedEmpty() { const a: number[] = []; let n: string | null = null; return [a, n] as const; }
export function* statementYields() { yield 1; yield 2; }
export function* delegating() { const r = yield* typedGenerator(); return r; }
export function* typedGenerator(): Generator<number, string, boolean> { const y = yield 1; return y ? 'a' : 'b'; }
export function* untypedUsingYield() { const y = (yield 1) as number; return y; }
export async function* asyncGenerator() { yield 1; await null; }
interface Obs<T> { subscribe(f: (v: T) => void): void }
interface Sub<T> { next(v: T): void }
type Op<T, R> = (source: Obs<T>) => Obs<R>;
declare function operate<T, R>(init: (source: Obs<T>, subscriber: Sub<R>) => void): Op<T, R>;
declare const EMPTY: Obs<never>;
export function take<T>(n: number): Op<T, T> {
  return n <= 0 ? () => EMPTY : operate((source, sub) => { source.subscribe((v) => sub.next(v)); });
}
export function directive(x: string) {
  if (x) {
    // @ts-expect-error: the original's own error, which must stay on its line
    const n: number = x;
    return n;
  }
  return 0;
}
`,
};

interface Checked {
  errors: string[];
  declarations: string;
}

/** Type-checks `files` (absolute paths) as one strict program; errors and emitted declarations per file. */
function check(files: string[]): Map<string, Checked> {
  const options: ts.CompilerOptions = {
    strict: true, noImplicitReturns: true, declaration: true, emitDeclarationOnly: true, skipLibCheck: true,
    target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext,
    types: [], lib: ['lib.es2022.d.ts'],
  };
  const program = ts.createProgram(files, options);
  const out = new Map<string, Checked>(files.map((f) => [f, { errors: [], declarations: '' }]));
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const file = d.file?.fileName;
    const at = file && d.start !== undefined ? d.file!.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const entry = file ? out.get(file) : undefined;
    if (entry) entry.errors.push(`line ${at} TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  }
  program.emit(undefined, (name, text) => {
    const source = files.find((f) => f.replace(/\.ts$/, '.d.ts') === name);
    if (source) out.get(source)!.declarations = text;
  }, undefined, true);
  return out;
}

describe('TypeScript instrumented in full', () => {
  let dir: string;
  let results: Map<string, { original: Checked; instrumented: Checked; text: string }>;
  let engine: Engine;

  beforeAll(async () => {
    dir = scratchDir('ts-types');
    engine = await Engine.create();
    await engine.ready('typescript');
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    mkdirSync(join(dir, 'orig'));
    mkdirSync(join(dir, 'inst'));
    for (const f of engine.runtimeFiles('typescript')) writeFileSync(join(dir, 'inst', f.fileName), f.content);
    const pairs: [string, string, string][] = [];
    for (const [name, text] of Object.entries(CASES)) {
      const original = join(dir, 'orig', `${name}.ts`);
      const instrumented = join(dir, 'inst', `${name}.ts`);
      const result = engine.add('typescript', text, { relPath: `${name}.ts`, runtimeImport: './telemetry-runtime.cjs' });
      writeFileSync(original, text);
      writeFileSync(instrumented, result.text);
      pairs.push([name, original, instrumented]);
    }
    const checked = check(pairs.flatMap(([, o, i]) => [o, i]));
    results = new Map(pairs.map(([name, o, i]) => [name, { original: checked.get(o)!, instrumented: checked.get(i)!, text: readFileSync(i, 'utf8') }]));
  }, 60_000);
  afterAll(() => removeScratch(dir));

  const expectKept = (name: string) => {
    const r = results.get(name)!;
    expect(r.text, 'the case was instrumented').toContain('_tm.enter(');
    expect(r.instrumented.errors, r.text).toEqual(r.original.errors);
    expect(r.instrumented.declarations).toBe(r.original.declarations);
  };

  it('keeps a template literal returned where a literal union is declared (detect-platform.ts)', () => {
    expectKept('literal-union-return');
    expect(results.get('literal-union-return')!.text).toContain('_tm.retTyped(__tel, (`other:${arch}`))');
  });

  it('keeps `this` through an awaited return in an async method (core/pagination.ts)', () => {
    expectKept('this-through-await');
    expect(results.get('this-through-await')!.text).toContain('return _tm.retAwaited(__tel, (_tm.resume(__tel, await');
  });

  it('reads no variable whose type is still evolving (internal/utils/path.ts)', () => {
    expectKept('evolving-declarations');
    const text = results.get('evolving-declarations')!.text;
    expect(text).not.toMatch(/(= \[\];|= null;|= undefined;)\s*__tel && _tm\.var/);
    expect(text).toMatch(/last = s;\s*__tel && _tm\.var\(__tel, \d+, "last", last\);/);
  });

  it('strips back to the original and adds nothing on a second pass', () => {
    for (const [name, text] of Object.entries(CASES)) {
      const once = results.get(name)!.text;
      expect(engine.strip('typescript', once).text, name).toBe(text);
      expect(engine.add('typescript', once, { relPath: `${name}.ts`, runtimeImport: './telemetry-runtime.cjs' }).text, name).toBe(once);
    }
  });

  it('still strips the yield form of earlier versions', () => {
    const original = 'export function* g(): Generator<number> {\n  const x = yield 1;\n}\n';
    const old = 'import * as _tm from "./telemetry-runtime.cjs";\nexport function* g(): Generator<number> {\n' +
      '  const __tel = _tm.on() && _tm.enter("g", "g.ts", 1, {}); try {\n  const x = _tm.resume(__tel, (yield _tm.suspend(__tel, 1)) as any);\n' +
      '} catch (__e) { _tm.fail(__tel, __e); throw __e; } finally { _tm.exit(__tel); }\n}\n';
    expect(engine.strip('typescript', old)).toMatchObject({ text: original, failed: [] });
  });

  it('keeps every inferred type, overload, guard, assertion, tuple and generator type of the other forms', () => {
    expectKept('every-form');
    const text = results.get('every-form')!.text;
    expect(text).toContain('_tm.resume(__tel, void (yield _tm.suspend(__tel, 1)))');
    expect(text).toContain('export function* untypedUsingYield() { const y = (yield 1) as number; return y; }');
    expect(text).toMatch(/return n <= 0 \? _tm\.retTyped\(__tel, \(\(\) => EMPTY\)\) : _tm\.retTyped\(__tel, \(operate/);
    expect(text).toMatch(/__tel && _tm\.branch\(__tel, 1, "if", "x"\);\n {4}\/\/ @ts-expect-error/);
  });
});
