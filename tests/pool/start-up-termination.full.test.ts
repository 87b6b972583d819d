// Pools torn down while their threads start (a recycle after a scan that ends at once, a shutdown
// right after start) must not take the process down. Before the CommonJS worker entry, Node's
// require(esm) aborted the process with a V8 fatal error (in three runs of this test, every one
// failed); worker-entry.test.ts guards the cause itself.
// Real piscina, real worker; each process runs its cycles on its own, three at once for load.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../server/src/paths.js';

const poolModule = packagePath('dist', 'server', 'src', 'pool', 'pool.js');
const cycles = 150;

function tearDownWhileStarting(seed: number): Promise<{ code: number | null; signal: string | null; output: string }> {
  const script = `
    const { EnginePool } = await import(${JSON.stringify(poolModule)});
    let state = ${seed};
    const random = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
    for (let i = 0; i < ${cycles}; i++) {
      const pool = new EnginePool({ maxThreads: 2, minThreads: 2 });
      await new Promise((resolve) => setTimeout(resolve, random() * 150));
      await pool.destroy();
    }
    console.log('survived');`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script]);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, output })));
}

describe('pool threads torn down during start-up', () => {
  it(`never abort the process (${cycles} cycles in each of three processes)`, { timeout: 240_000 }, async () => {
    const runs = await Promise.all([1, 2, 3].map(tearDownWhileStarting));
    for (const run of runs) expect(run).toEqual({ code: 0, signal: null, output: 'survived\n' });
  });
});
