// Checks with the real compilers at hand that the fixtures still compile once instrumented:
// `python3 -m py_compile` for Python, `node --check` for JavaScript and `gofmt -e` (syntax only)
// for Go. TypeScript is left to tsc elsewhere. Fixtures that hold a syntax error on purpose are
// left out: no compiler accepts them before or after.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { languageForPath } from '../../server/src/languages/registry.js';
import { packagePath } from '../../server/src/paths.js';

interface Compiler {
  lang: LanguageId;
  folder: string;
  runtimeImport: string;
  tool: string;
  /** Runs the compiler over the files (paths relative to `dir`); `output` explains a failure. */
  check(dir: string, files: string[]): { ok: boolean; output: string };
}

function run(cmd: string, args: string[], cwd: string): { ok: boolean; output: string } {
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8' });
  return { ok: r.status === 0, output: `${r.error ?? ''}${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const compilers: Compiler[] = [
  {
    lang: 'python',
    folder: 'python',
    runtimeImport: 'telemetry_runtime',
    tool: 'python3',
    check: (dir, files) => run('python3', ['-m', 'py_compile', ...files], dir),
  },
  {
    lang: 'javascript',
    folder: 'javascript',
    runtimeImport: './telemetry-runtime.cjs',
    tool: 'node',
    check: (dir, files) => {
      const failures = files.map((f) => run(process.execPath, ['--check', f], dir)).filter((r) => !r.ok);
      return { ok: failures.length === 0, output: failures.map((r) => r.output).join('\n') };
    },
  },
  {
    lang: 'go',
    folder: 'go',
    runtimeImport: 'example.com/fixtures/telemetry',
    tool: 'gofmt',
    // -l lists files that are not gofmt-formatted (the caret comments are not) without failing.
    check: (dir, files) => run('gofmt', ['-e', '-l', ...files], dir),
  },
];

const hasTool = (tool: string) => spawnSync(tool === 'node' ? process.execPath : tool, ['--help']).error === undefined;

function listFixtures(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      return statSync(path).isDirectory() ? listFixtures(path) : languageForPath(path) ? [path] : [];
    });
}

let engine: Engine;
const scratch = mkdtempSync(join(tmpdir(), 'telemetry-fixtures-'));

beforeAll(async () => {
  engine = await Engine.create();
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(compilers.map((c) => [c.lang, c] as const))('%s fixtures', (_, compiler) => {
  const root = packagePath('fixtures', compiler.folder);
  const available = hasTool(compiler.tool);
  let intact: { rel: string; text: string }[] = [];

  beforeAll(async () => {
    await engine.ready(compiler.lang);
    intact = listFixtures(root)
      .map((file) => ({ rel: relative(root, file), text: readFileSync(file, 'utf8') }))
      .filter(({ text }) => engine.analyze(compiler.lang, text).errorCount === 0);
  });

  /** Writes the files under a fresh folder and runs the compiler there. */
  function compile(name: string, files: { rel: string; text: string }[]): { ok: boolean; output: string } {
    const dir = join(scratch, compiler.lang, name);
    for (const { rel, text } of files) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), text);
    }
    return compiler.check(dir, files.map((f) => f.rel));
  }

  it.skipIf(!available)(`compile with ${compiler.tool} as written`, () => {
    expect(intact.length).toBeGreaterThan(0);
    const result = compile('original', intact);
    expect(result.ok, result.output).toBe(true);
  });

  it.skipIf(!available)(`still compile with ${compiler.tool} once every function is instrumented`, () => {
    const instrumented = intact.map(({ rel, text }) => {
      const added = engine.add(compiler.lang, text, { relPath: rel, runtimeImport: compiler.runtimeImport });
      expect(added.added.length, rel).toBeGreaterThan(0);
      return { rel, text: added.text };
    });
    const result = compile('instrumented', instrumented);
    expect(result.ok, result.output).toBe(true);
  });
});
