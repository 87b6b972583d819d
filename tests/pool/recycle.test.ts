// Pool workers are recycled (fresh threads take new tasks, the old ones finish theirs and end):
// after a number of tasks per worker, past a tree-sitter memory ceiling, or when asked. No task is
// lost or answered twice across a recycle. Real worker (dist/…/pool/worker.js: `npm run build` first).
import { afterEach, describe, expect, it } from 'vitest';
import { EnginePool } from '../../server/src/pool/pool.js';

const text = (i: number) => `def f${i}(a):\n    return a + ${i}\n`;
let pool: EnginePool | undefined;

afterEach(async () => {
  await pool?.destroy();
  pool = undefined;
});

describe('the engine pool', () => {
  it('recycles its threads after a number of tasks per worker, answering every task once', async () => {
    pool = new EnginePool({ maxThreads: 2, recycleAfterTasks: 5 });
    const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => pool!.run({ kind: 'scan', lang: 'python', text: text(i) })));
    expect(answers.map((a) => a.functions.map((f) => f.name))).toEqual(Array.from({ length: 40 }, (_, i) => [`f${i}`]));
    expect(pool.recycleCount).toBeGreaterThan(0);
  });

  it('recycles its threads past the tree-sitter memory ceiling', async () => {
    // Every worker already holds the binding's initial 32 MiB: a ceiling below it trips at once.
    pool = new EnginePool({ maxThreads: 1, recycleAboveWasmMb: 1 });
    await pool.run({ kind: 'scan', lang: 'python', text: text(1) });
    expect(pool.recycleCount).toBe(1);
    const again = await pool.run({ kind: 'scan', lang: 'python', text: text(2) });
    expect(again.functions.map((f) => f.name)).toEqual(['f2']);
  });

  it('finishes a task that runs while it recycles, and answers the next on fresh threads', async () => {
    pool = new EnginePool({ maxThreads: 1 });
    const running = pool.run({ kind: 'scan', lang: 'python', text: text(3) });
    pool.recycle();
    const next = pool.run({ kind: 'scan', lang: 'python', text: text(4) });
    expect((await running).functions.map((f) => f.name)).toEqual(['f3']);
    expect((await next).functions.map((f) => f.name)).toEqual(['f4']);
    expect(pool.recycleCount).toBe(1);
  });

  it('starts no thread after a lazy recycle until a task comes, then answers it', async () => {
    pool = new EnginePool({ maxThreads: 1 });
    await pool.run({ kind: 'scan', lang: 'python', text: text(5) });
    pool.recycle({ lazy: true });
    expect(pool.threadCount).toBe(0);
    expect((await pool.run({ kind: 'scan', lang: 'python', text: text(6) })).functions.map((f) => f.name)).toEqual(['f6']);
  });

  it('keeps its threads below the default limits', async () => {
    pool = new EnginePool({ maxThreads: 1 });
    for (let i = 0; i < 5; i++) await pool.run({ kind: 'scan', lang: 'python', text: text(i) });
    expect(pool.recycleCount).toBe(0);
  });
});
