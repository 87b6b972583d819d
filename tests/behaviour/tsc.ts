// This repository's tsc, run as a child process, and its error lines read as data: shared by the
// behaviour tests that type-check instrumented TypeScript.
import { join } from 'node:path';
import { cleanEnv, repoRoot, run, type RunResult } from './harness.js';

const TSC = join(repoRoot, 'node_modules/typescript/bin/tsc');

export interface TscError {
  file: string;
  line: number;
  code: string;
  /** The whole line tsc printed. */
  text: string;
}

export function tsc(args: string[], cwd: string): Promise<RunResult> {
  return run(process.execPath, [TSC, ...args], { cwd, env: cleanEnv() });
}

/** The `file(line,col): error TSnnnn:` lines of tsc's output. */
export function tscErrors(stdout: string): TscError[] {
  const errors: TscError[] = [];
  for (const text of stdout.split('\n')) {
    const m = /^(.+?)\((\d+),\d+\): error (TS\d+):/.exec(text);
    if (m) errors.push({ file: m[1], line: Number(m[2]), code: m[3], text });
  }
  return errors;
}
