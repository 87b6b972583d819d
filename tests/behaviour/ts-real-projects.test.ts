// Instrumented TypeScript that nobody here wrote still type-checks: the sources that real npm
// packages ship (pinned devDependencies) are copied to a scratch folder, type-checked strictly,
// instrumented in full with the real engine and type-checked again, and tsc must report no error
// that the original did not have, counted by code and file. The same runs with deep probes and with
// entry/exit only, so that a failure names the probe kind. Covers an SDK, a utility library with
// overloads on every operator, generics-heavy state code, TSX, and JavaScript checked with checkJs.
// Never writes outside its scratch folders: node_modules is only read.
import { cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId, ProbeKind } from '../../server/src/engine/types.js';
import {
  instrumentAll,
  listFiles,
  log,
  probeKindsIn,
  relativeSpecifier,
  removeScratch,
  repoRoot,
  scratchDir,
  seconds,
  writeRuntimeInto,
} from './harness.js';
import { tsc, tscErrors, type TscError } from './tsc.js';

const DECLARATION = /\.d\.(c|m)?ts$/;

interface Project {
  /** The package in node_modules (a pinned devDependency). */
  pkg: string;
  /** What kind of code it is, for the log. */
  style: string;
  /** Paths inside the package that are copied (its package.json always is: it decides ESM and `imports`). */
  copy: string[];
  /** Instrumented and type-checked files, relative to the copy. */
  sources: RegExp;
  /** Files removed from the copy: build outputs beside JS sources, which tsc would read instead of them. */
  drop?: RegExp;
  /** The project's own settings where it ships them, else strict ones close to its repository's. */
  compilerOptions: Record<string, unknown>;
}

const STRICT = { strict: true, noEmit: true, skipLibCheck: true, types: ['node'] };

const PROJECTS: Project[] = [
  {
    pkg: '@anthropic-ai/sdk',
    style: 'an SDK (classes, async iterators, Promise<this> pagination, literal unions)',
    copy: ['src'],
    sources: /^src\/.*\.ts$/,
    // src/tsconfig.json in the package, made strict.
    compilerOptions: { ...STRICT, target: 'es2015', lib: ['DOM', 'DOM.Iterable', 'ES2018'], module: 'commonjs', moduleResolution: 'node10' },
  },
  {
    pkg: 'rxjs',
    style: 'a utility library (overloads on every operator, generics)',
    copy: ['src'],
    sources: /^src\/.*\.ts$/,
    // rxjs's repository tsconfig: strict, with its self-import paths (tsconfig.base.json).
    compilerOptions: {
      ...STRICT, noImplicitReturns: true, noFallthroughCasesInSwitch: true, target: 'es2015', lib: ['es2018', 'dom'],
      module: 'esnext', moduleResolution: 'node10', baseUrl: 'src', paths: { rxjs: ['./'], 'rxjs/*': ['./*'] },
    },
  },
  {
    pkg: '@tanstack/query-core',
    style: 'heavy generics (observers, inferred option types)',
    copy: ['src'],
    sources: /^src\/.*\.ts$/,
    compilerOptions: { ...STRICT, target: 'es2020', lib: ['es2022', 'dom'], module: 'esnext', moduleResolution: 'bundler' },
  },
  {
    pkg: '@tanstack/react-query',
    style: 'React hooks and components (TSX)',
    copy: ['src'],
    sources: /^src\/.*\.tsx?$/,
    compilerOptions: { ...STRICT, target: 'es2020', lib: ['es2022', 'dom'], module: 'esnext', moduleResolution: 'bundler', jsx: 'react-jsx' },
  },
  {
    pkg: 'vfile',
    style: 'JavaScript with JSDoc types, checked with checkJs',
    copy: ['lib', 'index.js', 'index.d.ts'],
    sources: /^lib\/.*\.js$/,
    drop: /^lib\/.*\.d\.ts(\.map)?$/,
    // vfile's repository checks its JavaScript with checkJs and strict.
    compilerOptions: { ...STRICT, allowJs: true, checkJs: true, target: 'es2022', module: 'nodenext', moduleResolution: 'nodenext' },
  },
];

const DEEP: ProbeKind[] = ['variable', 'branch', 'loop', 'exception'];
const MODES: { name: string; kinds: readonly ProbeKind[] }[] = [
  { name: 'every probe kind', kinds: ['function', ...DEEP] },
  { name: 'deep probes (with the entry probe they hang off)', kinds: DEEP },
  { name: 'entry and exit probes only', kinds: ['function'] },
];

/** Errors counted by `file code`: what the instrumented copy has more of than the original. */
function newErrors(before: TscError[], after: TscError[]): { key: string; added: number; example: string }[] {
  const count = (errors: TscError[]) => {
    const m = new Map<string, TscError[]>();
    for (const e of errors) m.set(`${e.file} ${e.code}`, [...(m.get(`${e.file} ${e.code}`) ?? []), e]);
    return m;
  };
  const was = count(before);
  const out: { key: string; added: number; example: string }[] = [];
  for (const [key, errs] of count(after)) {
    const added = errs.length - (was.get(key)?.length ?? 0);
    if (added > 0) out.push({ key, added, example: errs.at(-1)!.text });
  }
  return out;
}

const tscProject = (cwd: string) => tsc(['-p', 'tsconfig.json'], cwd);
const langOf = (file: string): LanguageId => (file.endsWith('.tsx') ? 'tsx' : file.endsWith('.ts') ? 'typescript' : 'javascript');

interface Prepared {
  project: Project;
  dir: string;
  originals: string[];
  runtime: string;
  before: TscError[];
}

describe('real TypeScript packages, instrumented', () => {
  let engine: Engine;
  let scratch: string;
  const prepared = new Map<string, Prepared>();
  const summary: string[] = [];

  beforeAll(async () => {
    engine = await Engine.create();
    scratch = scratchDir('ts-projects');
  });
  afterAll(() => {
    for (const line of summary) log(line);
    removeScratch(scratch);
  });

  /** The pristine copy and its errors, once per project. */
  async function prepare(project: Project): Promise<Prepared> {
    const known = prepared.get(project.pkg);
    if (known) return known;
    const from = join(repoRoot, 'node_modules', project.pkg);
    const dir = join(scratch, project.pkg.replace('/', '+'));
    mkdirSync(dir, { recursive: true });
    for (const path of [...project.copy, 'package.json']) cpSync(join(from, path), join(dir, path), { recursive: true });
    for (const file of listFiles(dir, () => true, () => false)) if (project.drop?.test(relative(dir, file))) rmSync(file);
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const include = [...new Set(project.copy.map((p) => (p.includes('.') ? p : `${p}/**/*`)))];
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: project.compilerOptions, include }, null, 2));
    const originals = listFiles(dir, (n) => !DECLARATION.test(n), (d) => d === 'node_modules')
      .filter((f) => project.sources.test(relative(dir, f)));
    const [runtime] = writeRuntimeInto(engine, 'javascript', dir);
    const result = await tscProject(dir);
    const p = { project, dir, originals, runtime, before: tscErrors(result.stdout) };
    prepared.set(project.pkg, p);
    return p;
  }

  for (const mode of MODES) {
    it.each(PROJECTS.map((p) => [p.pkg, p] as const))(`adds no tsc error to %s with ${mode.name}`, async (_, project) => {
      const started = performance.now();
      const { dir, originals, runtime, before } = await prepare(project);
      expect(originals.length, 'the package ships its sources').toBeGreaterThan(5);
      // The package in node_modules holds the originals: each mode instruments them afresh into the copy.
      const from = join(repoRoot, 'node_modules', project.pkg);
      const jobs = originals.map((file) => ({ file, original: join(from, relative(dir, file)), lang: langOf(file) }));
      let unprobed = 0;
      const reasons = new Map<string, number>();
      for (const { original, lang } of jobs) {
        await engine.ready(lang);
        for (const f of engine.analyze(lang, readFileSync(original, 'utf8')).functions) {
          if (!f.skip) continue;
          unprobed++;
          reasons.set(f.skip, (reasons.get(f.skip) ?? 0) + 1);
        }
      }
      const counts = await instrumentAll(
        engine,
        jobs.map(({ file, original, lang }) => ({
          lang,
          source: original,
          dest: file,
          relPath: relative(dir, file),
          runtimeImport: relativeSpecifier(file, runtime),
          kinds: mode.kinds,
        })),
        true,
      );
      const kinds = new Set<string>();
      for (const text of counts.texts.values()) for (const k of probeKindsIn(text)) kinds.add(k);
      const after = tscErrors((await tscProject(dir)).stdout);
      for (const { file, original } of jobs) cpSync(original, file);
      const added = newErrors(before, after);
      const tsx = originals.filter((f) => f.endsWith('.tsx')).length;
      const js = originals.filter((f) => f.endsWith('.js')).length;
      summary.push(
        `${project.pkg} (${project.style}), ${mode.name}: ${originals.length} files` +
          `${tsx ? ` (${tsx} TSX)` : ''}${js ? ` (${js} JavaScript)` : ''}, ${counts.functions} of ${counts.eligible} functions ` +
          `instrumented, ${unprobed} left unprobed by rule${reasons.size ? ` (${[...reasons].map(([r, n]) => `${n}: ${r}`).join('; ')})` : ''}, ` +
          `${counts.skipped.length} dropped by validation; tsc errors before ${before.length}, after ${after.length}, ` +
          `new ${added.reduce((n, a) => n + a.added, 0)}; deep kinds placed: ${[...kinds].join(', ') || 'none'} (${seconds(started)} s)`,
      );
      for (const a of added.slice(0, 20)) log(`${project.pkg}, ${mode.name}: +${a.added} ${a.key}: ${a.example}`);
      expect(counts.skipped, counts.skipped.slice(0, 10).join('\n')).toEqual([]);
      expect(counts.functions).toBe(counts.eligible);
      expect(counts.functions).toBeGreaterThan(10);
      expect(kinds.size > 0, 'deep probes were placed exactly when asked for').toBe(mode.kinds.some((k) => k !== 'function'));
      expect(added.map((a) => `${a.key} +${a.added}: ${a.example}`)).toEqual([]);
    }, 600_000);
  }
});
