import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../protocol/coverage.js';
import { cli, makeProject, removeProject } from './helpers.js';

type CheckJson = CheckReport;

let project: string;
beforeEach(() => {
  project = makeProject();
});
afterEach(() => removeProject(project));

describe('telemetry-injector check', () => {
  it('lists each function without telemetry as path:line:col and exits 1', async () => {
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('python/functions.py:14:5: missing-telemetry `parse` lacks telemetry');
    expect(lines).toContain('go/functions.go:53:19: missing-telemetry `Counter.Inc` lacks telemetry');
    expect(lines).toContain('typescript/component.tsx:9:17: missing-telemetry `Button` lacks telemetry');
    expect(lines.at(-1)).toMatch(/^\d+ functions, 0 instrumented, \d+ ignored, \d+\.\d% coverage/);
    // Ignored, skipped and broken functions are never reported as missing.
    expect(run.stdout).not.toMatch(/python\/functions\.py:\d+:\d+: missing-telemetry `(hot|documented)`/);
    expect(run.stdout).not.toContain('`damaged`');
    expect(run.stdout).not.toContain('`Square.constructor`');
  });

  it('prints one JSON document with every function, per-file coverage and the totals', async () => {
    const run = await cli(['check', 'python', 'go', '--format', 'json'], { cwd: project });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout) as CheckJson;
    expect(report.files.map((f) => f.path)).toContain('python/functions.py');
    const file = report.files.find((f) => f.path === 'python/functions.py')!;
    expect(file.language).toBe('python');
    expect(file.require).toEqual(['function', 'variable', 'branch', 'loop', 'exception']);
    expect(file.functions[0]).toEqual({
      id: 'python/functions.py::parse::function_definition',
      name: 'parse',
      kind: 'function_definition',
      line: 14,
      column: 5,
      endLine: 14,
      endColumn: 10,
      instrumented: false,
      ignored: false,
      missing: ['function'],
    });
    // Each file carries the counts telemetry/coverage answers, and the total adds them up.
    expect(file.counts.coverage).toBe(file.coverage);
    expect(report.files.reduce((sum, f) => sum + f.counts.missing, 0)).toBe(report.total.missing);
    const all = report.files.flatMap((f) => f.functions);
    const eligible = all.filter((f) => !f.skip && !f.broken);
    expect(all.some((f) => f.broken)).toBe(true);
    expect(report.total).toMatchObject({
      functions: all.length,
      instrumented: 0,
      ignored: eligible.filter((f) => f.ignored).length,
      missing: eligible.filter((f) => !f.ignored).length,
      broken: all.filter((f) => f.broken).length,
      excluded: all.length - eligible.length + report.total.notRequired,
    });
    const expected = (100 * report.total.ignored) / eligible.length;
    expect(report.total.coverage).toBeCloseTo(expected, 1);
    expect(report.total.coverage).toBeLessThanOrEqual(expected);
  });

  it('exits 0 with --min-coverage 0 even though functions lack telemetry', async () => {
    const run = await cli(['check', '.', '--min-coverage', '0'], { cwd: project });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('missing-telemetry');
  });

  it('exits 1 and says why when coverage is below --min-coverage', async () => {
    const run = await cli(['check', '.', '--min-coverage', '50'], { cwd: project });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/coverage \d+\.\d% is below --min-coverage 50%/);
  });

  it('exits 0 with 100% coverage once inject has run', async () => {
    expect((await cli(['inject', '.'], { cwd: project })).code).toBe(0);
    const run = await cli(['check', '.', '--format', 'json'], { cwd: project });
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as CheckJson;
    expect(report.total.coverage).toBe(100);
    expect(report.total.missing).toBe(0);
    expect(report.total.instrumented).toBeGreaterThan(100);
    // The runtime modules inject created are not sources to check.
    expect(report.files.map((f) => f.path)).not.toContain('telemetry_runtime.py');
  });

  it('skips files over --max-file-size and binary files with a line on stderr each', async () => {
    fs.writeFileSync(path.join(project, 'python/big.py'), `def big():\n    return "${'x'.repeat(5000)}"\n`);
    fs.writeFileSync(path.join(project, 'python/binary.py'), 'def f():\n    return 1\n\0\0');
    const run = await cli(['check', 'python', '--max-file-size', '4k'], { cwd: project });
    expect(run.stderr).toContain('skipped python/big.py: it is larger than --max-file-size (4096 bytes)');
    expect(run.stderr).toContain('skipped python/binary.py: it contains NUL bytes');
    expect(run.stdout).not.toMatch(/big\.py|binary\.py/);
    expect(run.stdout).toContain('python/functions.py:14:5');
  });

  it('leaves node_modules, dist, vendor and .git folders out of a walk at any depth', async () => {
    for (const folder of ['node_modules/lib', 'javascript/dist', 'go/vendor/x', '.git/hooks']) {
      fs.mkdirSync(path.join(project, folder), { recursive: true });
      fs.writeFileSync(path.join(project, folder, 'hidden.js'), 'function hidden() {}\n');
    }
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.stdout).toContain('javascript/functions.js');
    expect(run.stdout).not.toContain('hidden');
  });

  it('exits 2 and names every path that does not exist', async () => {
    const run = await cli(['check', 'python', 'no-such-dir', 'missing.py'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('telemetry-injector: no such file or directory: no-such-dir');
    expect(run.stderr).toContain('telemetry-injector: no such file or directory: missing.py');
    expect(run.stdout).toBe('');
  });

  it('exits 2 on a flag it does not know or a bad percentage', async () => {
    const unknown = await cli(['check', '.', '--colour'], { cwd: project });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--colour'");
    const bad = await cli(['check', '.', '--min-coverage', 'lots'], { cwd: project });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--min-coverage wants a percentage');
  });

  it('writes progress to stderr, never to stdout, when more than 50 files are checked', async () => {
    const many = path.join(project, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 55; i++) fs.writeFileSync(path.join(many, `m${i}.py`), `def f${i}():\n    return ${i}\n`);
    const run = await cli(['check', 'many', '--format', 'json'], { cwd: project });
    expect(run.stderr).toContain('[1/55] many/m0.py');
    expect(run.stderr).toContain('[55/55] many/m9.py');
    expect((JSON.parse(run.stdout) as CheckJson).total.functions).toBe(55);
  });
});
