// Everything instrumented still compiles, TypeScript: `tsc --noEmit` on this repository's own
// TypeScript (tsconfig.test.json: the server, protocol and tests), instrumented in full in a scratch
// copy with the runtime's .d.cts, and on each TS fixture that type-checks on its own. `node --check`
// over node_modules is in node-check.ts, run by the corpus test on the copy it round-tripped.
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import {
  instrumentAll,
  listFiles,
  log,
  mapLimit,
  PARALLEL,
  plural,
  probeKindsIn,
  relativeSpecifier,
  removeScratch,
  repoRoot,
  scratchDir,
  seconds,
  writeRuntimeInto,
} from './harness.js';
import { tsc, tscErrors, type TscError } from './tsc.js';

const TS = /\.(c|m)?tsx?$/;
const DECLARATION = /\.d\.(c|m)?ts$/;
// The standalone settings a TS fixture is checked with, before and after: those of this repository.
const STANDALONE = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext']
  .concat(['--jsx', 'preserve', '--skipLibCheck', '--types', 'node']);

/**
 * Engine bugs this test found (fixed in e42f71b). Any tsc error fails the test; the log says which
 * of these it looks like, by attribution: the errors that vanish when only the await casts go are
 * ts-await-any, those on an entry probe's line with a "no such name" code ts-params-from-types.
 */
const FOUND_ENGINE_BUGS = {
  'ts-params-from-types':
    'the entry probe previews names declared inside parameter and return type annotations as if they ' +
    'were parameters: `function pick(keep: (name: string) => boolean): (offset: number) => boolean` gets ' +
    '`{ keep, name, offset }`, so tsc fails (TS18004, TS1117, TS2552) and, transpiled without type checks, ' +
    'the function throws ReferenceError: name is not defined as soon as telemetry is on',
  'ts-await-type-arguments':
    'an await of a call with explicit type arguments wraps only the callee: `await get<number>(1)` becomes ' +
    '`_tm.resume(__tel, (await _tm.suspend(__tel, get)) as any)<number>(1)`, so the promise is no longer ' +
    'awaited (and a method loses its `this`), with telemetry off as well: the program prints "[object Promise]1" ' +
    'instead of 2. tsc reports it downstream (TS2339, TS2322) once the `as any` is gone',
  'ts-await-any':
    'the TypeScript await probe casts every awaited value to any (`_tm.resume(__tel, (await ...) as any)`, ' +
    'meant for yield), so strict code stops type-checking where that value flows into callbacks: ' +
    '`const xs = await p; xs.map((x) => x + 1)` gives TS7006 (x implicitly any), TS18046, TS2347',
} as const;
const ON_ENTRY_LINE = new Set(['TS18004', 'TS1117', 'TS2552', 'TS2663', 'TS2304']);

/** The instrumented text without the `as any` the await probe adds: the attribution run for ts-await-any. */
function dropAwaitCasts(text: string): string {
  const open = '_tm.resume(__tel, (await ';
  const casts: number[] = [];
  for (let at = text.indexOf(open); at >= 0; at = text.indexOf(open, at + 1)) {
    let depth = 0;
    let i = at + open.length - 'await '.length - 1;
    for (; i < text.length; i++) {
      const c = text[i];
      if (c === "'" || c === '"' || c === '`') {
        // Skip the string; a paren inside one is not code.
        for (i++; i < text.length && text[i] !== c; i++) if (text[i] === '\\') i++;
      } else if (c === '(') depth++;
      else if (c === ')' && --depth === 0) break;
    }
    if (text.startsWith(') as any)', i)) casts.push(i + 1);
  }
  let out = '';
  let from = 0;
  for (const at of casts.sort((x, y) => x - y)) {
    out += text.slice(from, at);
    from = at + ' as any'.length;
  }
  return out + text.slice(from);
}

const langOf = (file: string): LanguageId => (file.endsWith('x') ? 'tsx' : 'typescript');

describe('JavaScript and TypeScript, instrumented in full', () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => removeScratch(d)));

  it("passes tsc --noEmit on this repository's own TypeScript and on the fixtures that type-check", async () => {
    const started = performance.now();
    const dir = scratchDir('tsc');
    dirs.push(dir);
    for (const name of ['server', 'protocol', 'tests', 'fixtures', 'package.json', 'tsconfig.json', 'tsconfig.test.json']) {
      cpSync(join(repoRoot, name), join(dir, name), { recursive: true });
    }
    // Tests import the VS Code client's pure modules (clients/vscode/src), which type-check with the rest.
    cpSync(join(repoRoot, 'clients/vscode/src'), join(dir, 'clients/vscode/src'), { recursive: true });
    symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'));
    const project = ['-p', 'tsconfig.test.json', '--noEmit'];
    const clean = await tsc(project, dir);
    expect(clean, 'the copy type-checks before instrumenting').toMatchObject({ code: 0 });
    const fixtures = listFiles(join(dir, 'fixtures'), (n) => TS.test(n) && !DECLARATION.test(n), () => false);
    const fixturesBefore = await mapLimit(fixtures, PARALLEL, async (f) => (await tsc([...STANDALONE, f], dir)).code === 0);
    const checkedFixtures = fixtures.filter((_, i) => fixturesBefore[i]);

    const engine = await Engine.create();
    const [runtime] = writeRuntimeInto(engine, 'javascript', dir);
    const excluded = (rel: string) => /^server\/languages\/[^/]+\/runtime\//.test(rel) || /^tests\/.*\/fixtures\//.test(rel);
    const sources = listFiles(dir, (n) => TS.test(n) && !DECLARATION.test(n), (d) => d === 'node_modules')
      .filter((file) => !excluded(relative(dir, file)))
      .filter((file) => !relative(dir, file).startsWith('fixtures/') || checkedFixtures.includes(file));
    const counts = await instrumentAll(
      engine,
      sources.map((source) => ({
        lang: langOf(source),
        source,
        dest: source,
        relPath: relative(dir, source),
        runtimeImport: relativeSpecifier(source, runtime),
      })),
      true,
    );
    expect(counts.skipped.length, counts.skipped.slice(0, 10).join('\n')).toBe(0);
    const kinds = new Set<string>();
    for (const text of counts.texts.values()) for (const k of probeKindsIn(text)) kinds.add(k);
    expect(readFileSync(join(dir, 'server/src/engine/engine.ts'), 'utf8')).toContain('import * as _tm from "../../../telemetry-runtime.cjs";');

    const checked = await tsc(project, dir);
    const fixturesAfter = await mapLimit(checkedFixtures, PARALLEL, async (f) => {
      const result = await tsc([...STANDALONE, f], dir);
      return result.code === 0 ? undefined : `${relative(dir, f)}: ${result.stdout.trim().split('\n').slice(0, 5).join(' | ')}`;
    });
    const fixtureFailures = fixturesAfter.filter((f): f is string => f !== undefined);
    const errors = tscErrors(checked.stdout);
    // Attribution: the errors that vanish when only the await casts go are ts-await-any; what is
    // left must sit on an entry probe's line with a "no such name" code to be ts-params-from-types.
    const causes: Record<string, TscError[]> = { 'ts-await-any': [], 'ts-params-from-types': [], 'ts-await-type-arguments': [], unexplained: [] };
    if (errors.length > 0) {
      for (const [dest, text] of counts.texts) writeFileSync(dest, dropAwaitCasts(text));
      const left = tscErrors((await tsc(project, dir)).stdout);
      const key = (e: TscError) => `${e.file}:${e.line}:${e.code}`;
      const leftKeys = new Set(left.map(key));
      const lines = (e: TscError) => readFileSync(join(dir, e.file), 'utf8').split('\n');
      const entryLine = (e: TscError) => lines(e)[e.line - 1]?.includes('_tm.enter(');
      // The await of a callee followed by type arguments, on the error's line or up to 10 lines above.
      const afterTypeArgumentAwait = (e: TscError) =>
        lines(e).slice(Math.max(0, e.line - 11), e.line).some((l) => /_tm\.suspend\(__tel, [\w.$]+\)\)+(as any\))?<\S/.test(l));
      for (const e of errors) {
        if (!leftKeys.has(key(e))) causes['ts-await-any'].push(e);
        else if (ON_ENTRY_LINE.has(e.code) && entryLine(e)) causes['ts-params-from-types'].push(e);
        else if (afterTypeArgumentAwait(e)) causes['ts-await-type-arguments'].push(e);
        else causes.unexplained.push(e);
      }
      // Errors that only appear once the casts are gone would be hidden by them: unexplained too.
      const before = new Set(errors.map(key));
      for (const e of left.filter((x) => !before.has(key(x)))) {
        if (afterTypeArgumentAwait(e)) causes['ts-await-type-arguments'].push(e);
        else causes.unexplained.push(e);
      }
    }
    const projectFiles = counts.files - checkedFixtures.length;
    log(
      `tsc --noEmit: ${projectFiles} TS files of this repository (tsconfig.test.json) and ${checkedFixtures.length} of ` +
        `${plural(fixtures.length, 'TS fixture')} that type-check alone, ${counts.functions} functions instrumented; ` +
        `project: ${errors.length} errors, ${fixtureFailures.length} fixtures fail (${seconds(started)} s); ` +
        `probe kinds beyond entry/exit: ${kinds.size ? [...kinds].join(', ') : 'none'}`,
    );
    for (const [cause, text] of Object.entries(FOUND_ENGINE_BUGS)) {
      const found = causes[cause];
      if (found.length === 0) continue;
      const files = new Set(found.map((e) => e.file)).size;
      log(`tsc: the bug "${cause}" again, ${found.length} errors in ${files} files: ${text}. E.g. ${found[0].text}`);
    }
    for (const e of causes.unexplained.slice(0, 20)) log(`tsc: ${e.text}`);
    for (const f of fixtureFailures) log(`tsc: ${f}`);
    expect(counts.functions).toBe(counts.eligible);
    expect(projectFiles).toBeGreaterThan(100);
    expect(errors.map((e) => e.text)).toEqual([]);
    expect(fixtureFailures).toEqual([]);
  }, 600_000);
});
