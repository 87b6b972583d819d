// A program that keeps running while a test changes its environment on disk: started with a
// stdin pipe (closing it ends the program), its stdout lines kept with the moment each arrived,
// and `until` to wait on what it prints, on its events file or on its stderr, with a bound.
// Must never sleep a fixed time: every wait is on a real signal and fails at its bound.
import { spawn, type ChildProcess } from 'node:child_process';
import type { TelemetryEvent } from '../../protocol/events.js';
import { cleanEnv, readEvents } from './helpers.js';

export class LiveProgram {
  readonly lines: { text: string; at: number }[] = [];
  stderr = '';
  private readonly child: ChildProcess;
  private readonly exited: Promise<number | null>;

  constructor(command: string, args: string[], cwd: string, env: Record<string, string>, readonly events: string) {
    this.child = spawn(command, args, { cwd, env: cleanEnv(env), stdio: ['pipe', 'pipe', 'pipe'] });
    let pending = '';
    this.child.stdout!.on('data', (chunk: Buffer) => {
      const parts = (pending + chunk.toString()).split('\n');
      pending = parts.pop()!;
      const at = Date.now();
      for (const text of parts) this.lines.push({ text, at });
    });
    this.child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once('close', (code) => resolve(code)));
  }

  /**
   * Polls `probe` every 25 ms until it answers something, failing after `ms`: generous, since only a
   * failure waits that long, and a loaded machine can delay a runtime's once-a-second check by seconds.
   */
  async until<T>(what: string, probe: () => T | undefined | false, ms = 30_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const value = probe();
      if (value !== undefined && value !== false) return value;
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; stderr:\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  /** Resolves once the program has printed a line after `time` (ms since the epoch): it is still running then. */
  printedAfter(time: number, ms?: number): Promise<number> {
    return this.until(`a line printed after ${new Date(time).toISOString()}`, () => this.lines.find((l) => l.at > time)?.at, ms);
  }

  read(): TelemetryEvent[] {
    return readEvents(this.events);
  }

  /** Closes stdin (the program ends on its own) and answers its exit code. */
  async stop(): Promise<number | null> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
