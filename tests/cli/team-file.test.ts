import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles, cli, makeProject, removeProject, snapshot } from './helpers.js';

let project: string;
beforeEach(() => {
  project = makeProject(['python', 'go']);
});
afterEach(() => removeProject(project));

function write(rel: string, text: string): void {
  fs.mkdirSync(path.dirname(path.join(project, rel)), { recursive: true });
  fs.writeFileSync(path.join(project, rel), text);
}

/** The files named by `path:line:col: missing-telemetry` lines. */
function reportedFiles(stdout: string): string[] {
  const files = stdout.split('\n').flatMap((line) => /^(.+?):\d+:\d+: missing-telemetry /.exec(line)?.[1] ?? []);
  return [...new Set(files)].sort();
}

/** A function without deep sites, and one with a variable, a loop and augmented assignments. */
const deepPython = 'def parse(text):\n    return text.split(",")\n\n\ndef total(items):\n    n = 0\n    for item in items:\n        n += item\n    return n\n';

describe('check with a team file', () => {
  it('reports only what the team file requires: a language rule over an empty require', async () => {
    write('telemetry.toml', 'require = []\n\n[[rules]]\nlanguages = ["go"]\nrequire = ["function"]\n');
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(1);
    expect(reportedFiles(run.stdout).every((file) => file.startsWith('go/'))).toBe(true);
    expect(run.stdout).toContain('go/functions.go:53:19: missing-telemetry `Counter.Inc` lacks telemetry');
  });

  it('exits 0 when the team file requires nothing', async () => {
    write('telemetry.toml', 'require = []\n');
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(reportedFiles(run.stdout)).toEqual([]);
    expect(run.stdout).toMatch(/^\d+ functions, 0 instrumented, \d+ ignored, 100\.0% coverage/m);
  });

  it('takes the nearest team file above each file', async () => {
    write('telemetry.toml', 'require = []\n');
    write('python/telemetry.toml', 'require = ["function"]\n');
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(1);
    expect(reportedFiles(run.stdout)).toEqual(['python/crlf.py', 'python/functions.py', 'python/syntax-error.py', 'python/unicode.py']);
  });

  it('applies path rules relative to the team file, later rules winning', async () => {
    const rules = [
      'require = []',
      '[[rules]]',
      'paths = ["python/**"]',
      'require = ["function"]',
      '[[rules]]',
      'paths = ["python/functions.py", "python/crlf.py", "python/syntax-*.py"]',
      'require = []',
    ];
    write('telemetry.toml', `${rules.join('\n')}\n`);
    const run = await cli(['check', '.'], { cwd: project });
    expect(reportedFiles(run.stdout)).toEqual(['python/unicode.py']);
  });

  it('reads [tool.telemetry] from pyproject.toml', async () => {
    write('pyproject.toml', '[project]\nname = "demo"\n\n[tool.telemetry]\nrequire = []\n');
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(0);
  });

  it('uses the team file --config names instead of the nearest one', async () => {
    write('telemetry.toml', 'require = []\n');
    write('ci/strict.toml', 'require = ["function"]\n');
    const run = await cli(['check', '.', '--config', 'ci/strict.toml'], { cwd: project });
    expect(run.code).toBe(1);
    expect(reportedFiles(run.stdout)).toContain('go/functions.go');
  });

  it('prints the required kinds, the team file and what each function lacks in JSON', async () => {
    write('telemetry.toml', 'require = ["function", "exception"]\n');
    const run = await cli(['check', 'python/functions.py', '--format', 'json'], { cwd: project });
    const report = JSON.parse(run.stdout) as { files: { require: string[]; teamFile?: string; functions: { name: string; missing: string[] }[] }[] };
    const [file] = report.files;
    expect(file).toMatchObject({ require: ['function', 'exception'], teamFile: 'telemetry.toml' });
    expect(file!.functions.find((f) => f.name === 'parse')!.missing).toEqual(['function']);
  });
});

describe('a bad team file', () => {
  it('stops check with exit 2, naming the file, line and column of each problem', async () => {
    write('telemetry.toml', '# the team rules\nrequire = ["function"]\nrequires = ["loop"]\n[[rules]]\nlanguages = ["golang"]\nrequire = []\n');
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('telemetry.toml:3:1: unknown key `requires` (did you mean `require`?)');
    expect(run.stderr).toContain('telemetry.toml:5:1: `rules[0].languages[0]` is "golang"; expected one of');
    expect(run.stderr).not.toContain('internal error');
  });

  it('stops check with exit 2 on malformed TOML', async () => {
    write('python/telemetry.toml', 'require = ["function"\n');
    const run = await cli(['check', 'python'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/python\/telemetry\.toml:\d+:\d+: invalid TOML: /);
  });

  it('stops inject before anything is written', async () => {
    write('telemetry.toml', 'redact = "(unclosed"\n');
    const before = snapshot(project);
    const run = await cli(['inject', '.'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('telemetry.toml:1:1: `redact` is not a valid regular expression');
    expect(changedFiles(before, snapshot(project))).toEqual([]);
  });

  it('is reported when --config names a file that does not exist', async () => {
    const run = await cli(['check', '.', '--config', 'nowhere.toml'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('nowhere.toml:1:1: cannot read it: no such file');
  });
});

describe('inject with a team file', () => {
  it('leaves alone the files whose team file requires nothing', async () => {
    write('telemetry.toml', 'require = []\n[[rules]]\nlanguages = ["python"]\nrequire = ["function"]\n');
    const before = snapshot(project);
    const run = await cli(['inject', '.'], { cwd: project });
    expect(run.code).toBe(0);
    const changed = changedFiles(before, snapshot(project));
    expect(changed).toContain('python/functions.py');
    expect(changed.filter((file) => file.startsWith('go/'))).toEqual([]);
  });
});

describe('redact from the team file', () => {
  it('reaches the probes inject writes: a matching variable is recorded without its value', async () => {
    write('deep/telemetry.toml', 'redact = "^n$"\n');
    write('deep/calc.py', deepPython);
    expect((await cli(['inject', 'deep'], { cwd: project })).code).toBe(0);
    const text = fs.readFileSync(path.join(project, 'deep/calc.py'), 'utf8');
    expect(text).toMatch(/_tm\.var\(__tel, [^,]+, "n"\)/);
    expect(text).not.toMatch(/"n", n\)/);
    expect(text).toMatch(/_tm\.var\(__tel, [^,]+, "item", item\)/);
  });
});

// These need the engine to find deep kinds missing (FunctionSite.missing beyond `function`) and
// Engine.add to honour EngineOptions.kinds.
describe('deep requirements on the command line', () => {
  it('reports a function that lacks a required loop probe, and not one without loops', async () => {
    write('deep/telemetry.toml', 'require = ["loop"]\n');
    write('deep/calc.py', deepPython);
    const run = await cli(['check', 'deep'], { cwd: project });
    expect(run.stdout).toContain('deep/calc.py:5:5: missing-telemetry `total` lacks loop telemetry');
    expect(run.stdout).not.toContain('`parse`');
    expect(run.code).toBe(1);
  });

  it('injects only the kinds the team file requires, so a stricter check then names the rest', async () => {
    write('deep/telemetry.toml', 'require = ["function"]\n');
    write('deep/calc.py', deepPython);
    const injected = await cli(['inject', 'deep'], { cwd: project });
    expect(injected.code).toBe(0);
    expect(fs.readFileSync(path.join(project, 'deep/calc.py'), 'utf8')).not.toBe(deepPython);
    expect((await cli(['check', 'deep'], { cwd: project })).code).toBe(0);

    write('deep/strict.toml', 'require = ["function", "variable", "branch", "loop", "exception"]\n');
    const strict = await cli(['check', 'deep', '--config', 'deep/strict.toml', '--format', 'json'], { cwd: project });
    const report = JSON.parse(strict.stdout) as { files: { functions: { name: string; instrumented: boolean; missing: string[] }[] }[] };
    const functions = report.files[0]!.functions;
    expect(functions.map((f) => [f.name, f.instrumented, f.missing])).toEqual([
      ['parse', true, []],
      ['total', true, ['variable', 'loop']],
    ]);
    const text = await cli(['check', 'deep', '--config', 'deep/strict.toml'], { cwd: project });
    // The probes moved `total` down: its line is no longer 5.
    expect(text.stdout).toMatch(/^deep\/calc\.py:\d+:5: missing-telemetry `total` lacks variable and loop telemetry$/m);
  });
});
