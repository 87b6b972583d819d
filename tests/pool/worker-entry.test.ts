// The file piscina starts in each worker is CommonJS, so piscina's require() of it never takes
// Node's require(esm) path, which aborts the whole process when a thread is terminated while the
// module is being instantiated (a recycle or a shutdown during start-up). Real node, real engine.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { packagePath } from '../../server/src/paths.js';

const entry = packagePath('dist', 'server', 'src', 'pool', 'worker-entry.cjs');

describe('the pool worker entry', () => {
  it('loads and answers a task with require(esm) turned off, as plain CommonJS', () => {
    const script = `
      const runTask = require(${JSON.stringify(entry)});
      runTask({ kind: 'scan', lang: 'python', text: 'def f(a):\\n    return a\\n' })
        .then((reply) => console.log(JSON.stringify(reply.value.functions.map((f) => f.name))));`;
    const run = spawnSync(process.execPath, ['--no-experimental-require-module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('["f"]');
  });
});
