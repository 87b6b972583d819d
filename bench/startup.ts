// Bench (k): start-up, the wall time of `telemetry-injector check` on one small Python file, from
// spawning node to its exit (bin/, over dist/), best and median of several runs side by side.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packagePath } from '../server/src/paths.js';
import { percentile } from './stats.js';

export interface Startup {
  runs: number;
  bestMs: number;
  medianMs: number;
  /** The same node, started to run nothing: the floor no change to this project can lower. */
  nodeMs: number;
}

function wall(args: string[], cwd: string): number {
  const start = performance.now();
  spawnSync(process.execPath, args, { cwd, stdio: 'ignore' });
  return performance.now() - start;
}

export function measureStartup(runs = 7): Startup {
  const dir = mkdtempSync(join(tmpdir(), 'bench-startup-'));
  writeFileSync(join(dir, 'small.py'), 'def greet(name):\n    return f"hello {name}"\n');
  const bin = packagePath('bin', 'telemetry-injector.js');
  wall([bin, 'check', 'small.py'], dir); // the first run fills the OS's file cache
  const check: number[] = [];
  const bare: number[] = [];
  for (let i = 0; i < runs; i++) {
    check.push(wall([bin, 'check', 'small.py'], dir));
    bare.push(wall(['-e', ''], dir));
  }
  return { runs, bestMs: Math.min(...check), medianMs: percentile(check, 50), nodeMs: Math.min(...bare) };
}
