// The ways a pool task fails, apart from the pool itself (./pool.ts, which loads piscina): the
// in-process runner throws them too, and `check` on one file must not load piscina to do so.
// Must never hold anything but the error classes.

/** The task failed by itself (bad input, unsupported text): reported at once. */
export class TaskError extends Error {
  override name = 'TaskError';
}

/** The task's worker crashed twice, or the task outlived its deadline. */
export class WorkerFault extends Error {
  override name = 'WorkerFault';
}

/** The caller's signal aborted the task. */
export class TaskCancelled extends Error {
  override name = 'TaskCancelled';
}
