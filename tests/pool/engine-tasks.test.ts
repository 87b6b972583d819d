// The engine pool with its real worker (dist/…/pool/worker.js, so `npm run build` must have run):
// engine tasks answered in plain data, files read in the worker, and pathological input kept off
// the main thread.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { EnginePool, TaskError } from '../../server/src/pool/pool.js';

const python = [
  'def greet(name):',
  '    return f"hello {name}"',
  '',
  '',
  'class Counter:',
  '    def bump(self, by):',
  '        return by + 1',
  '',
].join('\n');
const options = { relPath: 'greeter.py', runtimeImport: 'telemetry_runtime' };
const names = { globs: 'telemetry.include/exclude', maxFileSize: 'telemetry.maxFileSize' };

let pool: EnginePool;
let engine: Engine;
let dir: string;

beforeAll(async () => {
  pool = new EnginePool();
  engine = await Engine.create();
  await engine.ready('python');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-pool-'));
});

afterAll(async () => {
  await pool.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('engine tasks in the pool', () => {
  it('answers the same analysis as the engine in-process, as plain data without planner details', async () => {
    const inProcess = engine.analyze('python', python);
    const pooled = await pool.run({ kind: 'analyze', lang: 'python', text: python });
    expect(pooled.functions.map((f) => f.name)).toEqual(['greet', 'Counter.bump']);
    expect(pooled.functions).toEqual(inProcess.functions.map(({ detail: _, ...site }) => site));
    expect(pooled.functions.every((f) => !('detail' in f))).toBe(true);
  });

  it('adds telemetry to the selected functions only, and strip restores the text byte for byte', async () => {
    const bump = engine.analyze('python', python).functions.find((f) => f.name === 'Counter.bump')!;
    const one = await pool.run({ kind: 'add', lang: 'python', text: python, options, select: { offsets: [bump.nameRange.start] } });
    expect(one.added).toEqual(['Counter.bump']);
    const all = await pool.run({ kind: 'add', lang: 'python', text: python, options });
    expect(all.added).toEqual(['greet', 'Counter.bump']);
    const stripped = await pool.run({ kind: 'strip', lang: 'python', text: all.text });
    expect(stripped.text).toBe(python);
  });

  it('selects functions by kind, as requireKinds does', async () => {
    const added = await pool.run({ kind: 'add', lang: 'python', text: python, options, select: { kinds: ['nothing_like_this'] } });
    expect(added.added).toEqual([]);
  });

  it('reads a file in the worker and answers its functions with LSP ranges, never its text', async () => {
    const file = path.join(dir, 'greeter.py');
    fs.writeFileSync(file, `\uFEFF${python}`);
    const summary = await pool.run({ kind: 'summarize', filePath: file, lang: 'python', maxFileSize: 1 << 20, names });
    expect(summary).toEqual({
      errorCount: 0,
      hasImport: false,
      functions: [
        { name: 'greet', kind: 'function_definition', instrumented: false, ignored: false, broken: false, missing: ['function'], range: range(0, 4, 9) },
        {
          name: 'Counter.bump',
          kind: 'function_definition',
          instrumented: false,
          ignored: false,
          broken: false,
          missing: ['function'],
          range: range(5, 8, 12),
        },
      ],
    });
  });

  it('skips a file that is too large, binary or not UTF-8, with the reason', async () => {
    const write = (name: string, content: string | Buffer) => (fs.writeFileSync(path.join(dir, name), content), path.join(dir, name));
    const summarize = (filePath: string, maxFileSize = 1 << 20) => pool.run({ kind: 'summarize', filePath, lang: 'python', maxFileSize, names });
    expect(await summarize(write('big.py', python), 10)).toEqual({ skipped: expect.stringContaining('telemetry.maxFileSize') });
    expect(await summarize(write('nul.py', 'x = 1\0'))).toEqual({ skipped: 'it contains NUL bytes' });
    expect(await summarize(write('latin1.py', Buffer.from([0x78, 0x3d, 0xe9, 0x0a])))).toEqual({ skipped: 'it is not valid UTF-8' });
  });

  it('reports a file that cannot be read as a failed task', async () => {
    const missing = path.join(dir, 'gone.py');
    await expect(pool.run({ kind: 'summarize', filePath: missing, lang: 'python', maxFileSize: 1 << 20, names })).rejects.toThrow(TaskError);
  });

  it('parses a pathological file in a worker while the main thread keeps ticking', async () => {
    // Unclosed brackets send tree-sitter's error recovery into seconds of work.
    const text = `def f():\n    x = ${'['.repeat(50_000)}\n`;
    let last = performance.now();
    let longestGap = 0;
    const ticker = setInterval(() => {
      longestGap = Math.max(longestGap, performance.now() - last);
      last = performance.now();
    }, 10);
    const started = performance.now();
    const analysis = await pool.run({ kind: 'analyze', lang: 'python', text }).catch((error: unknown) => error);
    clearInterval(ticker);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThan(500);
    expect(analysis).not.toBeInstanceOf(Error);
    // Relative, not a fixed bound: on a loaded machine every gap grows, but a parse on this thread
    // would leave one gap as long as the whole task.
    expect(longestGap).toBeLessThan(elapsed / 2);
  });
});

function range(line: number, start: number, end: number) {
  return { start: { line, character: start }, end: { line, character: end } };
}
