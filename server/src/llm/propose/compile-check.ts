// Compile checks as data: runs a language's `compileChecks` (LanguageSpec) over an instrumented
// file in a temporary folder, with the runtime files beside it. A check applies only where its
// program is found (the project's own `localBin`, then PATH) and the original file passes it (so
// tsc applies only where the file type-checked before): otherwise it says why and counts as not run.
// Must never run anything but the argv the language folder names, never write outside its
// temporary folder, and never leave that folder behind.
import { execFile } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { CompileCheck } from '../../languages/spec.js';

export interface CompileInput {
  check: CompileCheck;
  /** The file's name (its extension matters to most compilers). */
  fileName: string;
  /** Runtime files, relative to the file's folder. */
  runtime: readonly { fileName: string; content: string }[];
  /** The original file's folder on disk, where `localBin` and `linked` are looked for; none: PATH only. */
  from?: string;
}

export type CompileOutcome = { ran: false; why: string } | { ran: true; ok: true } | { ran: true; ok: false; errors: string[] };

/** Every check of a language in order, up to the first that fails. */
export interface CompileReport {
  /** Names of the checks that ran and passed. */
  passed: string[];
  notRun: { name: string; why: string }[];
  failed?: { name: string; errors: string[] };
}

const TIMEOUT_MS = 60_000;

export class CompileChecker {
  /** Whether each original text passes, by check and text: a check that fails on the original says nothing. */
  private readonly originals = new Map<string, Promise<boolean>>();

  async check(input: CompileInput, original: string, instrumented: string): Promise<CompileOutcome> {
    const { check, from } = input;
    const program = check.argv[0];
    const found = program ? locate(program, check.localBin, from) : undefined;
    if (!found) return { ran: false, why: `${program ?? 'the compiler'} is not ${check.localBin ? `in ${check.localBin} or ` : ''}on PATH` };
    const links = (check.linked ?? []).flatMap((name) => {
      const at = from && upward(from, name);
      return at ? [{ name, at }] : [];
    });
    // A node script (a project's tsc) runs on this process's node: an editor's server may have no `node` on PATH.
    const argv = nodeScript(found) ? [process.execPath, found, ...check.argv.slice(1)] : [found, ...check.argv.slice(1)];
    const ready = { ...input, argv, links };
    const key = `${JSON.stringify([ready.argv, links])}\0${input.fileName}\0${original}`;
    let before = this.originals.get(key);
    if (!before) this.originals.set(key, (before = run(ready, original).then((r) => r.ok)));
    if (!(await before)) return { ran: false, why: 'the original file does not pass it either' };
    const result = await run(ready, instrumented);
    return result.ok ? { ran: true, ok: true } : { ran: true, ok: false, errors: result.errors };
  }

  /** Runs `checks` in order (cheapest first) and stops at the first that fails. */
  async checkAll(checks: readonly CompileCheck[], input: Omit<CompileInput, 'check'>, original: string, instrumented: string): Promise<CompileReport> {
    const report: CompileReport = { passed: [], notRun: [] };
    for (const check of checks) {
      const outcome = await this.check({ ...input, check }, original, instrumented);
      if (!outcome.ran) report.notRun.push({ name: check.name, why: outcome.why });
      else if (outcome.ok) report.passed.push(check.name);
      else return { ...report, failed: { name: check.name, errors: outcome.errors } };
    }
    return report;
  }
}

interface Ready extends CompileInput {
  argv: string[];
  links: { name: string; at: string }[];
}

async function run(input: Ready, text: string): Promise<{ ok: boolean; errors: string[] }> {
  const dir = mkdtempSync(path.join(tmpdir(), 'telemetry-compile-'));
  try {
    const file = path.join(dir, 'src', path.basename(input.fileName));
    const out = path.join(dir, 'out');
    mkdirSync(path.dirname(file), { recursive: true });
    mkdirSync(out);
    writeFileSync(file, text);
    // A junction where Windows would want privileges for a directory link; elsewhere a symlink.
    for (const l of input.links) symlinkSync(l.at, path.join(dir, l.name), 'junction');
    const runtime: string[] = [];
    for (const r of input.runtime) {
      const at = path.join(path.dirname(file), r.fileName);
      mkdirSync(path.dirname(at), { recursive: true });
      writeFileSync(at, r.content);
      runtime.push(at);
    }
    const argv = input.argv.flatMap((a) =>
      a === '{runtime...}' ? runtime : [a.replaceAll('{file}', file).replaceAll('{dir}', path.dirname(file)).replaceAll('{out}', out)],
    );
    return await new Promise((resolve) => {
      execFile(argv[0], argv.slice(1), { cwd: path.dirname(file), timeout: TIMEOUT_MS, maxBuffer: 4 << 20 }, (error, stdout, stderr) => {
        if (!error) return resolve({ ok: true, errors: [] });
        const lines = `${stderr}\n${stdout}`.split('\n').map((l) => l.replaceAll(`${dir}/src/`, '').replaceAll(dir, '').trim()).filter(Boolean);
        resolve({ ok: false, errors: lines.length ? lines.slice(0, 5) : [`${argv[0]} failed (${error.message})`] });
      });
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The program's path: in `localBin` at or above `from`, then on PATH. */
function locate(program: string, localBin: string | undefined, from: string | undefined): string | undefined {
  if (program.includes('/')) return executable(program) ? program : undefined;
  const local = localBin && from && upward(from, path.join(localBin, program));
  if (local && executable(local)) return local;
  const onPath = (process.env.PATH ?? '').split(path.delimiter).find((d) => d && executable(path.join(d, program)));
  return onPath ? path.join(onPath, program) : undefined;
}

/** `name` in `from` or the nearest folder above it that holds it. */
function upward(from: string, name: string): string | undefined {
  for (let d = path.resolve(from); ; d = path.dirname(d)) {
    if (existsSync(path.join(d, name))) return path.join(d, name);
    if (path.dirname(d) === d) return undefined;
  }
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function nodeScript(file: string): boolean {
  const head = Buffer.alloc(64);
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    return /^#!.*\bnode\b/.test(head.toString('latin1', 0, readSync(fd, head, 0, 64, 0)).split('\n')[0]);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
