// Owns what every subcommand receives from main.ts: the current folder, stdout, the stderr
// reporter and the one engine of the process (created on first use, then shared).
// Must never hold results between commands: one process runs one command.
import type { Engine } from '../engine/engine.js';
import type { Reporter } from './reporter.js';

export interface Output {
  write(text: string): unknown;
}

export interface CliContext {
  cwd: string;
  stdout: Output;
  reporter: Reporter;
  /** The process's engine; every call returns the same one. */
  engine(): Promise<Engine>;
}
