// Runs pool tasks on the calling thread with the caller's engine, for work too small to pay for a
// worker thread's start (a second WebAssembly compile and module graph): `check` on one file.
// Must never be used where the main thread has to stay responsive (the language server).
import type { Engine } from '../engine/engine.js';
import { handle } from './handlers.js';
import { TaskError } from './task-errors.js';
import type { TaskKind, TaskOf, TaskResults } from './tasks.js';

/** What per-file work needs of a pool: the EnginePool and this runner both have it. */
export interface TaskRunner {
  run<K extends TaskKind>(task: TaskOf<K>, signal?: AbortSignal): Promise<TaskResults[K]>;
}

export class InProcessRunner implements TaskRunner {
  constructor(private readonly engine: Engine) {}

  async run<K extends TaskKind>(task: TaskOf<K>): Promise<TaskResults[K]> {
    try {
      return (await handle(this.engine, task)) as TaskResults[K];
    } catch (error) {
      // As from a worker: a failing task is a TaskError, reported by the caller.
      throw new TaskError(error instanceof Error ? error.message : String(error));
    }
  }
}
