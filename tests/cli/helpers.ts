// Runs the real `telemetry-injector` command (bin/, over the compiled dist/: run `npm run build`
// first) in a child process, and builds throwaway projects from copies of the fixtures.
// Must never import CLI code: the tests see the CLI only through argv, stdout, stderr and files.
import { execFileSync, spawn, type SpawnOptions } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const bin = path.join(repoRoot, 'bin/telemetry-injector.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function cli(args: readonly string[], options: SpawnOptions & { cwd: string }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The source fixtures every test project starts from (fixtures/runtime holds programs, not samples). */
export const fixtureLanguages = ['python', 'javascript', 'typescript', 'go'] as const;

/** A fresh temporary project holding copies of `languages`' fixture folders. */
export function makeProject(languages: readonly string[] = fixtureLanguages): string {
  const project = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-cli-'));
  for (const language of languages) {
    fs.cpSync(path.join(repoRoot, 'fixtures', language), path.join(project, language), { recursive: true });
  }
  return project;
}

export function removeProject(project: string): void {
  fs.rmSync(project, { recursive: true, force: true });
}

/** Every file under `dir`, by `/`-separated relative path, with its bytes. */
export function snapshot(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    files.set(path.relative(dir, full).split(path.sep).join('/'), fs.readFileSync(full));
  }
  return files;
}

/** Relative paths whose bytes differ between two snapshots, or that only one of them has. */
export function changedFiles(before: Map<string, Buffer>, after: Map<string, Buffer>): string[] {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((p) => !before.get(p)?.equals(after.get(p) ?? Buffer.alloc(0)) || !after.has(p)).sort();
}

/** The runtime files inject creates in a project made by makeProject(): the Go package's files, and the Python and JS modules. */
export const runtimeFiles = [
  ...fs.readdirSync(path.join(repoRoot, 'server/languages/go/runtime')).filter((n) => n.endsWith('.go') || n.endsWith('.s')).map((n) => `go/telemetry/${n}`),
  'telemetry-runtime.cjs',
  'telemetry-runtime.d.cts',
  'telemetry_runtime.py',
].sort();

/** The user a child runs as so that mode 000 keeps it out of a folder: `nobody` when the tests run as root. */
export function unprivilegedUser(): { uid: number; gid: number } | undefined {
  return process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;
}

/** Why a child run as `user` could still list `dir` (made mode 000), or undefined when it is denied. */
export function whyNotLocked(dir: string, user: { uid: number; gid: number } | undefined): string | undefined {
  const script = `try { require('fs').readdirSync(${JSON.stringify(dir)}); console.log('listed') } catch (e) { console.log(e.code) }`;
  try {
    const answer = execFileSync(process.execPath, ['-e', script], { ...user, encoding: 'utf8' }).trim();
    if (answer === 'EACCES') return undefined;
    return answer === 'listed' ? `user ${user?.uid ?? process.getuid?.()} can list a folder with mode 000` : answer;
  } catch (error) {
    return `cannot run node as user ${user?.uid}: ${error instanceof Error ? error.message : String(error)}`;
  }
}
