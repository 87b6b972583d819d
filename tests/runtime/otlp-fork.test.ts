// The Python runtime's OTLP exporter across os.fork(): the parent queues a span, forks, the child
// records its own call and exits, then the parent records another. The receiver gets each span
// exactly once: the child's worker thread starts again in the child (threads do not survive
// fork), and the child does not send the parent's queue a second time.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { OtlpReceiver } from '../otlp/receiver.js';
import { cleanEnv, removeScratch, run, scratch, writeRuntime } from './helpers.js';

const PROGRAM = `import os, sys
import telemetry_runtime as _tm

def call(name):
    _tm.exit(_tm.enter(name, "fork.py", 1, {}))

call("before_fork")
pid = os.fork()
if pid == 0:
    call("in_child")
    print("child", _tm.otlp_stats()["sent"], flush=True)
    sys.exit(0)
os.waitpid(pid, 0)
call("in_parent")
print("parent", flush=True)
`;

describe('the Python OTLP exporter across os.fork()', () => {
  let dir = '';
  let receiver: OtlpReceiver;
  beforeAll(async () => {
    dir = scratch();
    writeRuntime(await Engine.create(), 'python', dir);
    writeFileSync(join(dir, 'fork.py'), PROGRAM);
    receiver = await OtlpReceiver.start();
  });
  afterAll(async () => {
    await receiver.close();
    removeScratch(dir);
  });

  it('delivers the child\'s spans from the child and the parent\'s once, from the parent', async () => {
    // Each exit waits for its export at most OTEL_EXPORTER_OTLP_TIMEOUT: generous, so that a loaded machine
    // cannot cut it short and lose spans; a receiver that answers ends the wait at once.
    const env = cleanEnv({ DEBUG: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_EXPORTER_OTLP_TIMEOUT: '20000' });
    // Python 3.12+ warns about fork() in a process with threads (the exporter's): the program's own concern.
    const result = await run('python3', ['-W', 'ignore::DeprecationWarning', 'fork.py'], { cwd: dir, env });
    expect(result).toMatchObject({ code: 0, stdout: 'child 0\nparent\n', stderr: '' });
    expect(receiver.problems()).toEqual([]);
    expect(receiver.spans().map((s) => s.name).sort()).toEqual(['before_fork', 'in_child', 'in_parent']);
  });
});
