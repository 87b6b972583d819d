// check, inject and strip run their per-file work in the engine pool: the output must not depend on
// --jobs, messages stay in file order, and a file that breaks the engine is reported in its place.
// Drives the real command (bin/, over dist/: `npm run build` first).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changedFiles, cli, makeProject, removeProject, snapshot } from '../cli/helpers.js';

let project: string;

beforeAll(() => {
  project = makeProject();
  // More than 50 files, so that progress lines are written, with skipped files among them.
  fs.mkdirSync(path.join(project, 'many'));
  for (let i = 0; i < 60; i++) {
    const body = i % 7 === 0 ? `x = "${'a'.repeat(3000)}"\n` : `def f${i}(a):\n    return a + ${i}\n`;
    fs.writeFileSync(path.join(project, 'many', `m${String(i).padStart(2, '0')}.py`), body);
  }
  fs.writeFileSync(path.join(project, 'many', 'm30.py'), 'x = 1\0\n');
});

afterAll(() => removeProject(project));

describe('check, inject and strip through the pool', () => {
  it.each([
    [['check', '.', '--max-file-size', '2k']],
    [['check', '.', '--format', 'json']],
    [['inject', '.', '--dry-run']],
    [['strip', '.', '--dry-run']],
  ])('print the same stdout, stderr and exit code with --jobs 1 and --jobs 3 (%s)', async (args) => {
    const one = await cli([...args, '--jobs', '1'], { cwd: project });
    const three = await cli([...args, '--jobs', '3'], { cwd: project });
    expect(three).toEqual(one);
    expect(one.stderr).toContain('[60/');
  });

  it('keeps each file\'s messages right after its progress line', async () => {
    const { stderr } = await cli(['check', 'many', '--jobs', '2'], { cwd: project });
    const lines = stderr.split('\n');
    const skipped = lines.indexOf('telemetry-injector: skipped many/m30.py: it contains NUL bytes');
    expect(lines[skipped - 1]).toBe('[31/60] many/m30.py');
  });

  it('instruments and strips a project back to its bytes with several threads', async () => {
    const copy = makeProject();
    try {
      const before = snapshot(copy);
      expect((await cli(['inject', '.', '--jobs', '2'], { cwd: copy })).code).toBe(0);
      expect(changedFiles(before, snapshot(copy)).length).toBeGreaterThan(10);
      expect((await cli(['strip', '.', '--jobs', '2'], { cwd: copy })).code).toBe(0);
      const after = snapshot(copy);
      const sources = [...before.keys()];
      expect(sources.filter((file) => !before.get(file)!.equals(after.get(file)!))).toEqual([]);
    } finally {
      removeProject(copy);
    }
  });

  it('refuses a --jobs value that is not a positive whole number', async () => {
    const run = await cli(['check', '.', '--jobs', '0'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--jobs wants a number of threads of at least 1, not "0"');
  });
});
