// Bounded event volume by default, on real code: four standard-library modules whose own tests
// make hot functions and nested loops are instrumented in full and their tests run with telemetry on, once with the
// default sampling and once as the runtimes were before it (TELEMETRY_SAMPLING=off with
// TELEMETRY_LOOP_EVENTS=16, the old default; off alone would also keep every event inside loops).
// The default must write at most a tenth of the bytes, the stream must stay well-formed, and the
// calls left out must be counted.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { checkEventFile, describeSummary, expectWellFormed } from './events.js';
import { cleanEnv, instrumentAll, log, pythonStdlib, removeScratch, run, scratchDir, seconds, writeRuntimeInto, type RunResult } from './harness.js';

// statistics and tokenize are heavier still (statistics alone wrote over 4.4 GB before sampling,
// and 18 MB with it) but take too long unsampled for a test tier.
const MODULES = ['difflib', 'fractions', 'string', 'pprint'];

const RUNNER = `
import sys, unittest
unittest.main(module=None, argv=["python3 -m unittest", "test.test_" + sys.argv[1]])
`;

interface Volume {
  name: string;
  sampled: RunResult;
  all: RunResult;
  sampledBytes: number;
  allBytes: number;
  sampledFile: string;
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(1)} MB`;

describe('event volume of four standard-library modules under their own tests', () => {
  let dir: string;
  let volumes: Volume[] = [];

  beforeAll(async () => {
    const engine = await Engine.create();
    dir = scratchDir('python-volume');
    const lib = join(dir, 'lib');
    const stdlib = pythonStdlib();
    const counts = await instrumentAll(
      engine,
      MODULES.map((name) => ({
        lang: 'python' as const,
        source: join(stdlib, `${name}.py`),
        dest: join(lib, `${name}.py`),
        relPath: `${name}.py`,
        runtimeImport: 'telemetry_runtime',
      })),
    );
    expect(counts.skipped).toEqual([]);
    writeRuntimeInto(engine, 'python', lib);
    const python = (name: string, env: Record<string, string>) =>
      run('python3', ['-c', RUNNER, name], { cwd: dir, env: cleanEnv({ PYTHONPATH: lib, PYTHONDONTWRITEBYTECODE: '1', DEBUG: 'true', ...env }) });
    // One module at a time: the unsampled runs write gigabytes.
    for (const name of MODULES) {
      const since = performance.now();
      const sampledFile = join(dir, `${name}.sampled.jsonl`);
      const allFile = join(dir, `${name}.all.jsonl`);
      const sampled = await python(name, { TELEMETRY_FILE: sampledFile });
      const all = await python(name, { TELEMETRY_FILE: allFile, TELEMETRY_SAMPLING: 'off', TELEMETRY_LOOP_EVENTS: '16' });
      const size = (file: string) => statSync(file, { throwIfNoEntry: false })?.size ?? 0;
      volumes.push({ name, sampled, all, sampledBytes: size(sampledFile), allBytes: size(allFile), sampledFile });
      removeScratch(allFile);
      log(`python ${name}: ${mb(size(sampledFile))} sampled, ${mb(volumes.at(-1)!.allBytes)} before sampling, ${seconds(since)} s`);
    }
  }, 1_800_000);
  afterAll(() => removeScratch(dir));

  it("passes each module's tests both ways", () => {
    for (const v of volumes) {
      expect(v.sampled.code, `${v.name} sampled:\n${v.sampled.stderr.slice(-2000)}`).toBe(0);
      expect(v.all.code, `${v.name} unsampled:\n${v.all.stderr.slice(-2000)}`).toBe(0);
    }
  });

  it('writes at most a tenth of the unsampled bytes by default', () => {
    const sampled = volumes.reduce((sum, v) => sum + v.sampledBytes, 0);
    const all = volumes.reduce((sum, v) => sum + v.allBytes, 0);
    log(`python: ${MODULES.join(', ')}: ${mb(sampled)} by default, ${mb(all)} before sampling (${((100 * sampled) / all).toFixed(1)}%)`);
    expect(sampled).toBeLessThanOrEqual(all / 10);
  });

  it('keeps the sampled streams well-formed and counts the calls it left out', async () => {
    let dropped = 0;
    for (const v of volumes) {
      const summary = await checkEventFile(v.sampledFile, 'python');
      log(`python ${v.name} sampled: ${describeSummary(summary)}`);
      expectWellFormed(summary, v.name);
    }
    for (const v of volumes) {
      const { stdout } = await run(process.execPath, ['-e', COUNT_DROPS, v.sampledFile], { cwd: dir, env: cleanEnv() });
      dropped += Number(stdout);
    }
    expect(dropped).toBeGreaterThan(0);
  }, 600_000);
});

// Sums dropped_calls over a JSONL file, streaming it.
const COUNT_DROPS = `
const rl = require('node:readline').createInterface({ input: require('node:fs').createReadStream(process.argv[1]) });
let n = 0;
rl.on('line', (l) => { if (l.includes('"dropped_calls"')) for (const d of JSON.parse(l).dropped_calls) n += d.count; });
rl.on('close', () => process.stdout.write(String(n)));
`;
