import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../protocol/coverage.js';
import { GitRepo, py } from './git-repo.js';
import { cli } from './helpers.js';

// One history for every test: `base`, then a commit that edits, adds and moves functions, then an
// untracked file. Built once; the tests only read it.
let repo: GitRepo;
let scratch: string;
let baseBaseline: string;

const ids = (report: CheckReport) => report.files.flatMap((f) => f.functions.map((fn) => fn.id));

beforeAll(async () => {
  repo = new GitRepo();
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-gate-'));
  repo.write(
    'app.py',
    py(
      'def alpha():',
      '    return 1',
      '',
      '',
      'def beta(x):',
      '    y = x + 1',
      '    return y',
      '',
      '',
      'def gamma(items):',
      '    for item in items:',
      '        print(item)',
    ),
  );
  repo.write('util.py', py('def helper():', "    return 'h'"));
  repo.commit('base');
  repo.git('tag', 'base');
  baseBaseline = path.join(scratch, 'base-baseline.json');
  const written = await cli(['check', '.', '--write-baseline', baseBaseline], { cwd: repo.dir });
  expect(written.code).toBe(0);

  // beta edited (and a comment above it), delta added (and ignored), alpha moved to the end,
  // gamma moved to util.py: both unchanged.
  repo.write(
    'app.py',
    py(
      '# A comment above beta shifts every line below it.',
      '',
      '',
      'def beta(x):',
      '    y = x + 2',
      '    return y',
      '',
      '',
      '# telemetry: ignore',
      'def delta():',
      '    return 4',
      '',
      '',
      'def alpha():',
      '    return 1',
    ),
  );
  repo.write('util.py', py('def helper():', "    return 'h'", '', '', 'def gamma(items):', '    for item in items:', '        print(item)'));
  repo.commit('edit beta, add delta, move alpha and gamma');
  repo.write('new.py', py('def epsilon():', '    return 5'));
}, 60_000);

afterAll(() => {
  repo.remove();
  fs.rmSync(scratch, { recursive: true, force: true });
});

describe('check --changed-since', () => {
  it('reports only functions the working tree added or edited since the ref, not those moved unchanged', async () => {
    const run = await cli(['check', '.', '--changed-since', 'base', '--format', 'json'], { cwd: repo.dir });
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(ids(report).sort()).toEqual(['app.py::beta::function_definition', 'app.py::delta::function_definition', 'new.py::epsilon::function_definition']);
    expect(report.changedSince).toBe('base');
    // Coverage over the changed functions only: delta is ignored (covered), beta and epsilon lack telemetry.
    expect(report.total).toMatchObject({ functions: 3, ignored: 1, missing: 2, coverage: 33.33 });
    expect(run.code).toBe(1);
  });

  it('prints the changed functions and says what the summary counts', async () => {
    const run = await cli(['check', '.', '--changed-since', 'base'], { cwd: repo.dir });
    expect(run.stdout.trim().split('\n')).toEqual([
      'app.py:4:5: missing-telemetry `beta` lacks telemetry',
      'new.py:1:5: missing-telemetry `epsilon` lacks telemetry',
      'changed since base: 3 functions, 0 instrumented, 1 ignored, 33.3% coverage',
    ]);
  });

  it('gates the changed functions on --min-coverage', async () => {
    const above = await cli(['check', '.', '--changed-since', 'base', '--min-coverage', '30'], { cwd: repo.dir });
    expect(above.code).toBe(0);
    const below = await cli(['check', '.', '--changed-since', 'base', '--min-coverage', '40'], { cwd: repo.dir });
    expect(below.code).toBe(1);
    expect(below.stderr).toContain('coverage 33.3% is below --min-coverage 40%');
  });

  it('counts nothing and passes when the ref is the working tree', async () => {
    const clean = new GitRepo();
    try {
      clean.write('app.py', py('def alpha():', '    return 1'));
      clean.commit('one');
      const run = await cli(['check', '.', '--changed-since', 'HEAD'], { cwd: clean.dir });
      expect(run.stdout).toBe('changed since HEAD: 0 functions, 0 instrumented, 0 ignored, 100.0% coverage\n');
      expect(run.code).toBe(0);
    } finally {
      clean.remove();
    }
  });

  it('exits 2 with one line when the ref does not exist', async () => {
    const run = await cli(['check', '.', '--changed-since', 'no-such-branch'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe('telemetry-injector: --changed-since: no such git ref: no-such-branch\n');
  });

  it('exits 2 with one line when the folder is not in a git repository', async () => {
    const plain = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-nogit-'));
    try {
      fs.writeFileSync(path.join(plain, 'app.py'), py('def alpha():', '    return 1'));
      const run = await cli(['check', '.', '--changed-since', 'main'], { cwd: plain, env: { ...process.env, GIT_CEILING_DIRECTORIES: os.tmpdir() } });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(/^telemetry-injector: --changed-since: .* is not inside a git repository\n$/);
    } finally {
      fs.rmSync(plain, { recursive: true, force: true });
    }
  });
});

describe('check --baseline', () => {
  it('records the functions lacking telemetry by function id, not by line', () => {
    const baseline = JSON.parse(fs.readFileSync(baseBaseline, 'utf8')) as { functions: Record<string, string[]> };
    expect(baseline).toEqual({
      'telemetry-injector-baseline': 1,
      functions: {
        'app.py::alpha::function_definition': ['function'],
        'app.py::beta::function_definition': ['function', 'variable'],
        'app.py::gamma::function_definition': ['function', 'variable', 'loop'],
        'util.py::helper::function_definition': ['function'],
      },
    });
  });

  it('fails only on functions the baseline does not list, whatever moved above them', async () => {
    const run = await cli(['check', '.', '--baseline', baseBaseline], { cwd: repo.dir });
    expect(run.code).toBe(1);
    // beta was edited below a new comment and alpha moved within app.py: both still listed. gamma
    // moved to another file, so its id is new; epsilon is new.
    expect(run.stdout.trim().split('\n')).toEqual([
      'new.py:1:5: missing-telemetry `epsilon` lacks telemetry',
      'util.py:5:5: missing-telemetry `gamma` lacks telemetry',
      '6 functions, 0 instrumented, 1 ignored, 16.6% coverage',
      `2 lacking telemetry are new; 3 more are in the baseline ${baseBaseline}`,
    ]);
  });

  it('marks baselined functions in JSON and leaves them out of SARIF', async () => {
    const json = JSON.parse((await cli(['check', '.', '--baseline', baseBaseline, '--format', 'json'], { cwd: repo.dir })).stdout) as CheckReport;
    expect(json.baseline).toEqual({ file: baseBaseline, new: 2 });
    const baselined = json.files.flatMap((f) => f.functions.filter((fn) => fn.baselined).map((fn) => fn.id));
    expect(baselined.sort()).toEqual(['app.py::alpha::function_definition', 'app.py::beta::function_definition', 'util.py::helper::function_definition']);
    const sarif = JSON.parse((await cli(['check', '.', '--baseline', baseBaseline, '--format', 'sarif'], { cwd: repo.dir })).stdout) as {
      runs: { results: { properties: { functionId: string } }[] }[];
    };
    expect(sarif.runs[0]!.results.map((r) => r.properties.functionId).sort()).toEqual(['new.py::epsilon::function_definition', 'util.py::gamma::function_definition']);
  });

  it('passes once a new baseline records today, and with --min-coverage gates on coverage alone', async () => {
    const today = path.join(scratch, 'today.json');
    const written = await cli(['check', '.', '--write-baseline', today], { cwd: repo.dir });
    expect(written.code).toBe(0);
    expect(written.stderr).toContain(`wrote 5 functions lacking telemetry to the baseline ${today}`);
    expect((await cli(['check', '.', '--baseline', today], { cwd: repo.dir })).code).toBe(0);
    expect((await cli(['check', '.', '--baseline', baseBaseline, '--min-coverage', '10'], { cwd: repo.dir })).code).toBe(0);
    expect((await cli(['check', '.', '--baseline', today, '--min-coverage', '20'], { cwd: repo.dir })).code).toBe(1);
  });

  it('combines with --changed-since: only changed functions, and only new ones fail', async () => {
    const run = await cli(['check', '.', '--changed-since', 'base', '--baseline', baseBaseline, '--format', 'json'], { cwd: repo.dir });
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(ids(report).sort()).toEqual(['app.py::beta::function_definition', 'app.py::delta::function_definition', 'new.py::epsilon::function_definition']);
    expect(report.baseline?.new).toBe(1);
    expect(run.code).toBe(1);
  });

  it.each([
    ['not JSON', '{"telemetry-injector-baseline": 1,', /is not valid JSON/],
    ['another tool', JSON.stringify({ version: '2.1.0', runs: [] }), /is not a telemetry-injector baseline \(it has no "telemetry-injector-baseline" key\)/],
    ['a newer format', JSON.stringify({ 'telemetry-injector-baseline': 2, functions: {} }), /has format 2; this version reads format 1/],
    ['an unknown kind', JSON.stringify({ 'telemetry-injector-baseline': 1, functions: { 'a.py::f::function_definition': ['logging'] } }), /must be a list of probe kinds/],
  ])('exits 2 naming the file when the baseline is %s', async (_, text, reason) => {
    const file = path.join(scratch, 'bad.json');
    fs.writeFileSync(file, text);
    const run = await cli(['check', '.', '--baseline', file], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain(`telemetry-injector: baseline ${file}: `);
    expect(run.stderr).toMatch(reason);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('exits 2 when the baseline does not exist', async () => {
    const run = await cli(['check', '.', '--baseline', 'missing.json'], { cwd: repo.dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('telemetry-injector: baseline missing.json: no such file (write one with --write-baseline)\n');
  });
});
