// The file piscina starts in every pool worker thread: CommonJS, so that piscina's require() of it
// never takes Node's require(esm) path. That path (Node >= 20.19) aborts the whole process with a
// V8 fatal error when the thread is terminated while the module is being instantiated, as a recycle
// or a shutdown during a thread's start-up does; import() has no such abort.
// Must never hold state of its own: worker.js owns the thread's engine.
import type { Reply, Task } from './tasks.js';

const loaded = import('./worker.js');
// A failed load is reported to the task that awaits it, not as an unhandled rejection first.
loaded.catch(() => undefined);

async function runTask(task: Task): Promise<Reply> {
  return (await loaded).default(task);
}

export = runTask;
