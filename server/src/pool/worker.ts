// Entry of every pool worker thread (piscina loads the compiled dist/…/pool/worker.js): one warm
// Engine per thread, created before the first task; each grammar loads on first use and stays.
// Failures are answered as data, never thrown, so the pool can tell a failing task (reported at
// once) from a crashing worker (replaced, and the task retried once).
// Must never keep a tree between tasks, and never touch the main thread's state.
import { Engine } from '../engine/engine.js';
import { wasmMemoryBytes } from '../parse/grammars.js';
import { handle } from './handlers.js';
import type { Reply, Task } from './tasks.js';

// Per-thread state by design: this module is evaluated once in each worker, which owns it.
const engine = await Engine.create();
let tasks = 0;

export default async function runTask(task: Task): Promise<Reply> {
  let reply: Reply;
  try {
    reply = { ok: true, value: await handle(engine, task) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  return { ...reply, worker: { tasks: ++tasks, wasmBytes: wasmMemoryBytes() } };
}
