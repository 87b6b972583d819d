// Owns how check, inject and strip spread their per-file work over the engine pool: the --jobs
// flag, one pool per command, files read on the main thread a bounded distance ahead of the one
// being finished, and each file's progress line and messages replayed in file order, so that the
// output is the same whatever --jobs says.
// Must never let a file's messages overtake an earlier file's.
import os from 'node:os';
import { runOrdered, settle, type Outcome } from '../pool/ordered.js';
import type { Engine } from '../engine/engine.js';
import { InProcessRunner, type TaskRunner } from '../pool/in-process.js';
import type { EnginePool } from '../pool/pool.js';
import { UsageError } from './args.js';
import { Reporter } from './reporter.js';
import { readSource, type SourceFile, type SourceText } from './sources.js';

/** The --jobs option, for parseArgs. */
export const jobsOption = { jobs: { type: 'string' } } as const;

export const jobsFlag = ['--jobs N', 'threads that parse and instrument files (default: the number of cores)'] as const;

export function parseJobs(value: string | undefined): number {
  if (value === undefined) return os.availableParallelism();
  if (!/^[1-9]\d*$/.test(value.trim())) throw new UsageError(`--jobs wants a number of threads of at least 1, not "${value}"`);
  return Number(value);
}

export interface PerFile<R> {
  /** On the main thread, once the file is read: queues its pool work, and may digest its answer (keep little). */
  start(file: SourceFile, source: SourceText, pool: TaskRunner): Promise<R>;
  /** In file order, after the file's progress line and read messages: reports and collects. */
  finish(file: SourceFile, outcome: Outcome<R>): void;
}

export interface EachSourceOptions {
  jobs: number;
  maxFileSize: number;
  reporter: Reporter;
  /**
   * The process's engine: when given and there is a single file, its work runs on this thread
   * (a worker thread's start costs more than one file's work; start-up, bench (k)).
   */
  engine?: () => Promise<Engine>;
}

export async function eachSource<R>(files: readonly SourceFile[], options: EachSourceOptions, perFile: PerFile<R>): Promise<void> {
  const { reporter, jobs } = options;
  const progress = reporter.progress(files.length);
  let pool: Promise<EnginePool> | undefined;
  const inProcess = files.length === 1 && options.engine ? new InProcessRunner(await options.engine()) : undefined;
  // The pool's module (and piscina) is loaded only when a pool is made: not by `check` on one file.
  const workers = async (): Promise<TaskRunner> =>
    inProcess ??
    (await (pool ??= import('../pool/pool.js').then(
      ({ EnginePool }) => new EnginePool({ maxThreads: jobs, minThreads: Math.min(jobs, files.length), log: (line) => reporter.warn(line) }),
    )));
  try {
    await runOrdered(
      files,
      { concurrency: jobs * 2, lookahead: jobs * 32 },
      async (file) => {
        const notes = new DeferredReporter();
        const source = readSource(file, options.maxFileSize, notes);
        // The text is dropped once `start` is done with it: only its digest waits for the file's turn.
        const work = source ? await settle(async () => perFile.start(file, source, await workers())) : undefined;
        return { notes, work };
      },
      (file, outcome) => {
        progress.tick(file.display);
        // `start` above never throws: its failures are settled into `work`.
        if (!outcome.ok) throw outcome.error;
        const { notes, work } = outcome.value;
        notes.replay(reporter);
        if (work) perFile.finish(file, work);
      },
    );
  } finally {
    progress.finish();
    await (await pool?.catch(() => undefined))?.destroy();
  }
}

/** Holds a file's messages until the file's turn comes. */
class DeferredReporter extends Reporter {
  private readonly held: ['note' | 'warn' | 'error', string][] = [];

  constructor() {
    super({ write: () => true });
  }

  override note(message: string): void {
    this.held.push(['note', message]);
  }

  override warn(message: string): void {
    this.held.push(['warn', message]);
  }

  override error(message: string): void {
    this.held.push(['error', message]);
  }

  replay(into: Reporter): void {
    for (const [kind, message] of this.held) into[kind](message);
  }
}
