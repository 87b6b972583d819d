// Faults and stale work in the engine pool, driven through a stand-in worker (fixtures/faulty-worker.mjs)
// that crashes, spins or outgrows its heap on request.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnginePool, TaskCancelled, TaskError, WorkerFault, type PoolOptions } from '../../server/src/pool/pool.js';
import type { AnalyzeTask } from '../../server/src/pool/tasks.js';

const workerFile = path.join(import.meta.dirname, 'fixtures', 'faulty-worker.cjs');

interface FakeTask {
  id: string;
  mode?: 'crash' | 'fail' | 'spin' | 'hold' | 'hog';
  crashes?: number;
  ms?: number;
  /** For `hold`: the file whose creation lets the task end. */
  release?: string;
}

let dir: string;
let pool: EnginePool | undefined;
const logged: string[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-pool-'));
  logged.length = 0;
});

afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

function start(options: PoolOptions = {}): EnginePool {
  pool = new EnginePool({ workerFile, log: (message) => logged.push(message), ...options });
  return pool;
}

/** The stand-in's task, dressed as an engine task so that the pool can describe it in messages. */
function task(fake: FakeTask): AnalyzeTask {
  return { kind: 'analyze', lang: 'python', text: '', log: path.join(dir, 'calls.log'), ...fake } as AnalyzeTask;
}

function calls(): string[] {
  const file = path.join(dir, 'calls.log');
  return fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

/** Polls the call log every 10 ms until `done` holds; the 30 s bound only matters on failure. */
async function untilCalls(what: string, done: (log: string[]) => boolean): Promise<void> {
  for (const deadline = Date.now() + 30_000; !done(calls()); ) {
    if (Date.now() > deadline) throw new Error(`${what}; calls: ${JSON.stringify(calls())}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the engine pool', () => {
  it('keeps one warm thread by default, grows to the available cores under load and retires extras when idle', async () => {
    // Idle for 2 s before a thread retires: one thread ending its last task a moment before the other
    // on a loaded machine must not retire before the count after the burst.
    const p = start({ idleTimeoutMs: 2_000 });
    expect(p.maxThreads).toBe(os.availableParallelism());
    expect(p.threadCount).toBe(1);
    // The tasks hold their threads until every core has one, however late a loaded machine starts
    // the extra threads (150 ms spins could all end on the warm thread first).
    const cores = Math.min(4, os.availableParallelism());
    const release = path.join(dir, 'release');
    const burst = Promise.all([1, 2, 3, 4].map((i) => p.run(task({ id: `t${i}`, mode: 'hold', release }))));
    await untilCalls(`fewer than ${cores} threads took a task`, (log) => log.length >= cores);
    expect(p.threadCount).toBe(cores);
    fs.writeFileSync(release, '');
    await burst;
    expect(p.threadCount).toBe(cores);
    // Idle threads retire on their own timer: poll for it, bounded, instead of sleeping a fixed time.
    const deadline = Date.now() + 30_000;
    while (p.threadCount > 1 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(p.threadCount).toBe(1);
  });

  it('replaces a worker that crashes and retries its task once, on a new worker', async () => {
    const p = start();
    expect(await p.run(task({ id: 'once', mode: 'crash', crashes: 1 }))).toBe(2);
    expect(calls()).toEqual(['once', 'once']);
    expect(logged.some((line) => line.includes('the worker crashed') && line.includes('retrying once'))).toBe(true);
  });

  it('reports a task whose worker crashes twice, and goes on serving the next one', async () => {
    const p = start();
    await expect(p.run(task({ id: 'always', mode: 'crash', crashes: 9 }))).rejects.toThrow(WorkerFault);
    expect(calls()).toEqual(['always', 'always']);
    expect(await p.run(task({ id: 'next' }))).toBe('next');
  });

  it('reports a task that fails by itself at once, without retrying it', async () => {
    const p = start();
    await expect(p.run(task({ id: 'bad', mode: 'fail' }))).rejects.toThrow(TaskError);
    expect(calls()).toEqual(['bad']);
  });

  it('recycles a worker that outgrows its heap ceiling, and reports the task after one retry', async () => {
    const p = start({ maxOldGenerationSizeMb: 32 });
    await expect(p.run(task({ id: 'hog', mode: 'hog' }))).rejects.toThrow(/crashed twice \(.*memory limit/);
    expect(calls()).toEqual(['hog', 'hog']);
    expect(await p.run(task({ id: 'after' }))).toBe('after');
  });

  it('gives up on a task past its deadline, terminating its worker, and never retries it', async () => {
    const p = start({ taskTimeoutMs: 1500 }); // room for a fresh worker to load its grammars
    await expect(p.run(task({ id: 'stuck', mode: 'spin', ms: 60_000 }))).rejects.toThrow(/gave up after 1500 ms/);
    expect(calls()).toEqual(['stuck']);
    expect(await p.run(task({ id: 'after' }))).toBe('after');
  });

  it('drops a queued task whose signal aborts before it starts: stale work never runs', async () => {
    const p = start({ maxThreads: 1 });
    // The only thread is held until the test lets it go, so the stale task stays queued however
    // late a loaded machine runs the abort (a 400 ms spin against a 50 ms timer could be outrun).
    const release = path.join(dir, 'release');
    const busy = p.run(task({ id: 'busy', mode: 'hold', release }));
    const stale = new AbortController();
    const dropped = p.run(task({ id: 'stale' }), stale.signal);
    await untilCalls('the busy task never started', (log) => log.includes('busy'));
    stale.abort();
    await expect(dropped).rejects.toThrow(TaskCancelled);
    fs.writeFileSync(release, '');
    expect(await busy).toBe('busy');
    expect(await p.run(task({ id: 'fresh' }))).toBe('fresh');
    expect(calls()).toEqual(['busy', 'fresh']);
  });

  it('never runs a task whose signal was aborted before it was queued', async () => {
    const p = start();
    const signal = AbortSignal.abort();
    await expect(p.run(task({ id: 'late' }), signal)).rejects.toThrow(TaskCancelled);
    expect(calls()).toEqual([]);
  });
});
