// The engine pool: warm worker threads (piscina) that parse, find sites, count coverage, plan and
// validate on plain data, for the language server's workspace scan and the CLI alike.
//  - Threads: up to os.availableParallelism(), at least one kept warm, extras retired after an idle timeout.
//  - Memory: a worker past its heap ceiling (resourceLimits) dies and is replaced. WebAssembly
//    memory never shrinks and a worker's heap and compiled code only grow, so the threads are
//    recycled: after `recycleAfterTasks` tasks of one worker, past `recycleAboveWasmMb` of its
//    tree-sitter memory, or when asked (recycle(), after a workspace scan). Recycling starts a fresh
//    piscina for new tasks and lets the old one finish what it runs, then end: nothing is lost.
//  - Faults: a task whose worker crashed is retried once on a fresh worker, then reported; a task
//    that outlives its deadline is aborted (its worker is terminated) and reported, never retried.
// Must never send a tree across threads, and never retry a task that failed by itself or was cancelled.
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import { packagePath } from '../paths.js';
import { TaskCancelled, TaskError, WorkerFault } from './task-errors.js';
import { describeTask, type Reply, type TaskKind, type TaskOf, type TaskResults } from './tasks.js';

export { TaskCancelled, TaskError, WorkerFault };

export interface PoolOptions {
  /** Default: os.availableParallelism(). */
  maxThreads?: number;
  /** Threads kept warm; default 1. */
  minThreads?: number;
  /** Threads above minThreads exit after this long without work; default 30 s. */
  idleTimeoutMs?: number;
  /** Heap ceiling of each worker; a worker past it is replaced. Default 512 MB. */
  maxOldGenerationSizeMb?: number;
  /** Deadline of one attempt of one task; default 60 s (a parse alone gives up after 5 s). */
  taskTimeoutMs?: number;
  /** The worker module; the compiled worker.js by default. */
  workerFile?: string;
  /** Told about worker crashes (each retry, and a worker lost between tasks). */
  log?: (message: string) => void;
  /** Recycle the threads once one worker has answered this many tasks; default 4000. */
  recycleAfterTasks?: number;
  /** Recycle the threads once one worker's tree-sitter memory is past this; default 256 MiB. */
  recycleAboveWasmMb?: number;
}


export class EnginePool {
  private piscina: Piscina<unknown, Reply>;
  private readonly draining = new Set<Piscina<unknown, Reply>>();
  private readonly timeoutMs: number;
  private readonly log: (message: string) => void;
  private readonly recycleAfterTasks: number;
  private readonly recycleAboveWasmBytes: number;
  private destroyed = false;
  private recycled = 0;

  constructor(private readonly options: PoolOptions = {}) {
    this.piscina = this.start();
    this.timeoutMs = options.taskTimeoutMs ?? 60_000;
    this.log = options.log ?? (() => {});
    this.recycleAfterTasks = options.recycleAfterTasks ?? 4000;
    this.recycleAboveWasmBytes = (options.recycleAboveWasmMb ?? 256) * 1024 * 1024;
  }

  /** `lazy`: no thread starts before a task comes, and idle ones all retire (after a burst). */
  private start(lazy = false): Piscina<unknown, Reply> {
    const { options } = this;
    const maxThreads = Math.max(1, options.maxThreads ?? os.availableParallelism());
    const piscina = new Piscina<unknown, Reply>({
      filename: options.workerFile ?? compiledWorker(),
      maxThreads,
      minThreads: lazy ? 0 : Math.min(options.minThreads ?? 1, maxThreads),
      idleTimeout: options.idleTimeoutMs ?? 30_000,
      resourceLimits: { maxOldGenerationSizeMb: options.maxOldGenerationSizeMb ?? 512 },
    });
    // A worker that dies between tasks is replaced by piscina; its error must not crash the process.
    piscina.on('error', (error: unknown) => this.log(`a pool worker stopped: ${String(error)}`));
    return piscina;
  }

  /** Times the threads were recycled (for tests and logs). */
  get recycleCount(): number {
    return this.recycled;
  }

  /**
   * New tasks go to fresh threads; the current ones finish the tasks they hold, then end, and
   * their memory goes back to the system. `lazy` (after a burst of work, such as a workspace scan):
   * the fresh threads start only when a task comes.
   */
  recycle(options: { lazy?: boolean } = {}): void {
    if (this.destroyed) return;
    const old = this.piscina;
    this.piscina = this.start(options.lazy);
    this.recycled++;
    this.draining.add(old);
    void old
      .close()
      .catch((error: unknown) => this.log(`a recycled pool did not close cleanly: ${String(error)}`))
      .finally(() => this.draining.delete(old));
  }

  get maxThreads(): number {
    return this.piscina.maxThreads;
  }

  /** Live worker threads (for tests and logs). */
  get threadCount(): number {
    return this.piscina.threads.length;
  }

  async run<K extends TaskKind>(task: TaskOf<K>, signal?: AbortSignal): Promise<TaskResults[K]> {
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted) throw new TaskCancelled(`${describeTask(task)}: cancelled`);
      const deadline = AbortSignal.timeout(this.timeoutMs);
      let reply: Reply;
      const piscina = this.piscina;
      try {
        reply = await piscina.run(task, { signal: signal ? AbortSignal.any([signal, deadline]) : deadline });
      } catch (error) {
        if (signal?.aborted || this.destroyed) throw new TaskCancelled(`${describeTask(task)}: cancelled`);
        if (deadline.aborted) throw new WorkerFault(`${describeTask(task)}: gave up after ${this.timeoutMs} ms`);
        if (attempt >= 2) throw new WorkerFault(`${describeTask(task)}: the worker crashed twice (${message(error)})`);
        this.log(`${describeTask(task)}: the worker crashed (${message(error)}); retrying once on a new worker`);
        continue;
      }
      // Only the current threads' load counts: a draining pool is already on its way out.
      const load = reply.worker;
      if (load && piscina === this.piscina && (load.tasks >= this.recycleAfterTasks || load.wasmBytes > this.recycleAboveWasmBytes)) this.recycle();
      if (!reply.ok) throw new TaskError(reply.error);
      return reply.value as TaskResults[K];
    }
  }

  /** Takes no more tasks, without terminating the workers (the process is about to end). */
  close(): void {
    this.destroyed = true;
  }

  /** Stops every worker; tasks still running or queued are rejected as cancelled. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    await Promise.all([this.piscina, ...this.draining].map((p) => p.destroy()));
  }
}

/**
 * The compiled worker entry beside this module in dist/ (CommonJS: see worker-entry.cts). From the
 * TypeScript sources (vitest) there is none beside it, so the one in dist/ is used: `npm run build`
 * must have run.
 */
function compiledWorker(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? packagePath('dist', 'server', 'src', 'pool', 'worker-entry.cjs') : fileURLToPath(new URL('./worker-entry.cjs', import.meta.url));
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
