// Compile checks as data: runs a language's `compileCheck.argv` (LanguageSpec) over an instrumented
// file in a temporary folder, with the runtime files beside it. A check applies only where its
// program is on PATH and the original file passes it (as tsc applies only where the file
// type-checked before): otherwise it says so and counts as not run.
// Must never run anything but the argv the language folder names, and never leave its folder behind.
import { execFile } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompileCheck } from '../../languages/spec.js';

export interface CompileInput {
  check: CompileCheck;
  /** The file's name (its extension matters to most compilers). */
  fileName: string;
  /** Runtime files, relative to the file's folder. */
  runtime: readonly { fileName: string; content: string }[];
}

export type CompileOutcome = { ran: false; why: string } | { ran: true; ok: true } | { ran: true; ok: false; errors: string[] };

const TIMEOUT_MS = 60_000;

export class CompileChecker {
  /** Whether each original text passes, by text: a check that fails on the original says nothing. */
  private readonly originals = new Map<string, Promise<boolean>>();

  async check(input: CompileInput, original: string, instrumented: string): Promise<CompileOutcome> {
    const program = input.check.argv[0];
    if (!program || !onPath(program)) return { ran: false, why: `${program ?? 'the compiler'} is not on PATH` };
    const key = `${input.fileName}\0${original}`;
    let before = this.originals.get(key);
    if (!before) this.originals.set(key, (before = run(input, original).then((r) => r.ok)));
    if (!(await before)) return { ran: false, why: 'the original file does not pass it either' };
    const result = await run(input, instrumented);
    return result.ok ? { ran: true, ok: true } : { ran: true, ok: false, errors: result.errors };
  }
}

async function run(input: CompileInput, text: string): Promise<{ ok: boolean; errors: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telemetry-compile-'));
  try {
    const file = path.join(dir, 'src', path.basename(input.fileName));
    const out = path.join(dir, 'out');
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(out);
    writeFileSync(file, text);
    const runtime: string[] = [];
    for (const r of input.runtime) {
      const at = path.join(path.dirname(file), r.fileName);
      mkdirSync(path.dirname(at), { recursive: true });
      writeFileSync(at, r.content);
      runtime.push(at);
    }
    const argv = input.check.argv.flatMap((a) =>
      a === '{runtime...}' ? runtime : [a.replaceAll('{file}', file).replaceAll('{dir}', path.dirname(file)).replaceAll('{out}', out)],
    );
    return await new Promise((resolve) => {
      execFile(argv[0], argv.slice(1), { cwd: path.dirname(file), timeout: TIMEOUT_MS, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, errors: [] });
        const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.replaceAll(dir, '').trim()).filter(Boolean);
        resolve({ ok: false, errors: lines.length ? lines.slice(0, 5) : [`${argv[0]} failed (${error.message})`] });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function onPath(program: string): boolean {
  if (program.includes('/')) return executable(program);
  return (process.env.PATH ?? '').split(path.delimiter).some((d) => d && executable(path.join(d, program)));
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
