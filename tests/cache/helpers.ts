// Shared by the plan cache tests: the files whose every function is compared cached against
// fresh, a way to move every function of a file to another indentation, line and qualified name,
// and the options the engine needs per language.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RelocatablePlan } from '../../server/src/cache/relocate.js';
import type { Engine } from '../../server/src/engine/engine.js';
import type { EngineOptions, LanguageId } from '../../server/src/engine/types.js';
import { packagePath } from '../../server/src/paths.js';

export const LANGUAGES: readonly LanguageId[] = ['python', 'javascript', 'typescript', 'tsx', 'go'];

/** Every source file under fixtures/{python,javascript,typescript,go}. */
export function fixtureFiles(engine: Engine): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (engine.languageForPath(path)) out.push(path);
    }
  };
  for (const lang of ['python', 'javascript', 'typescript', 'go']) walk(packagePath('fixtures', lang));
  return out;
}

/** Large modules of this machine's Python standard library, with async code and nested functions. */
export function stdlibFiles(): string[] {
  const root = execFileSync('python3', ['-c', "import sysconfig;print(sysconfig.get_paths()['stdlib'])"], { encoding: 'utf8' }).trim();
  return ['_pydecimal.py', 'typing.py', 'argparse.py', 'inspect.py', 'asyncio/base_events.py', 'email/_header_value_parser.py', 'tkinter/__init__.py']
    .map((f) => join(root, f));
}

export function options(lang: LanguageId, relPath: string): EngineOptions {
  const runtimeImport = lang === 'python' ? 'telemetry_runtime' : lang === 'go' ? 'example.com/m/telemetry' : './telemetry-runtime.cjs';
  return { relPath, runtimeImport };
}

/**
 * The same code one level deeper, a line lower: Python inside `class Moved:` (so qualified names
 * change too), the other languages under a comment line. Every non-empty line gains the indent,
 * string continuation lines included, the way an editor's "indent selection" does.
 */
export function moveDeeper(lang: LanguageId, text: string): string {
  const unit = lang === 'go' ? '\t' : lang === 'python' ? '    ' : '  ';
  const head = lang === 'python' ? 'class Moved:\n' : '// moved\n';
  const parts = text.split(/(\r\n|\r|\n)/);
  return head + parts.map((p, i) => (i % 2 === 0 && p !== '' ? unit + p : p)).join('');
}

const made: string[] = [];

/** A new empty folder, removed by removeTempDirs(). */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'plan-cache-'));
  made.push(dir);
  return dir;
}

export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** The entry every concurrent writer writes for key i: the same content, so any whole file is right. */
export function childEntry(i: number): { key: string; plan: RelocatablePlan } {
  const key = i.toString(16).padStart(64, '0');
  const plan: RelocatablePlan = { ins: [{ p: [1, -1], t: `\uE000    entry ${i} ${'x'.repeat(i % 300)}\n`, r: -1e9 - i, k: 'entry' }] };
  return { key, plan };
}
