import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatProblem, loadTeamFile, readTeamFile, TeamFiles, type TeamFile } from '../../server/src/config/team-file.js';

function problems(team: TeamFile | undefined): string[] {
  return (team?.problems ?? []).map((p) => formatProblem(p, path.basename(p.file)));
}

describe('reading a team file', () => {
  it('takes require, redact and rules from telemetry.toml', () => {
    const text = [
      '#:schema ./node_modules/telemetry-injector/protocol/team-file-schema.json',
      'require = ["function", "exception"]',
      'redact = "secret|pin"',
      '',
      '[[rules]]',
      'paths = ["src/hot/**"]',
      'languages = ["go"]',
      'require = ["function", "loop"]',
      '',
    ].join('\n');
    const team = readTeamFile('/repo/telemetry.toml', text);
    expect(team?.problems).toBeUndefined();
    expect(team?.dir).toBe('/repo');
    expect(team?.config).toEqual({
      require: ['function', 'exception'],
      redact: 'secret|pin',
      rules: [{ paths: ['src/hot/**'], languages: ['go'], require: ['function', 'loop'] }],
    });
  });

  it('reports malformed TOML at its line and column', () => {
    const team = readTeamFile('/repo/telemetry.toml', 'require = ["function",\n  loop]\n');
    expect(problems(team)).toEqual(['telemetry.toml:2:3: invalid TOML: invalid value']);
  });

  it('reports an unknown key at its line, with the key it was probably meant to be', () => {
    const team = readTeamFile('/repo/telemetry.toml', '# team rules\n\nrequires = ["function"]\n');
    expect(problems(team)).toEqual(['telemetry.toml:3:1: unknown key `requires` (did you mean `require`?)']);
  });

  it('reports a wrong kind inside the second [[rules]] at that rule’s line', () => {
    const text = [
      'require = []',
      '[[rules]]',
      'languages = ["python"]',
      'require = ["function"]',
      '[[rules]]',
      'paths = ["src/**"]',
      '  require = ["function", "loops"]',
    ].join('\n');
    expect(problems(readTeamFile('/repo/telemetry.toml', text))).toEqual([
      'telemetry.toml:7:3: `rules[1].require[1]` is "loops"; expected one of "function", "variable", "branch", "loop", "exception"',
    ]);
  });

  it('reports every problem of the file, in line order', () => {
    const text = ['require = "function"', '[[rules]]', 'languages = ["cobol"]', 'extra = true'].join('\n');
    expect(problems(readTeamFile('/repo/.telemetry.toml', text))).toEqual([
      '.telemetry.toml:1:1: `require` must be a list, not the string "function"',
      '.telemetry.toml:2:1: `rules[0]` needs `require`',
      '.telemetry.toml:3:1: `rules[0].languages[0]` is "cobol"; expected one of "python", "javascript", "typescript", "tsx", "go", "java", "rust"',
      '.telemetry.toml:4:1: unknown key `extra` in `rules[0]`',
    ]);
  });

  it('reports a redact pattern that is not a regular expression', () => {
    const team = readTeamFile('/repo/telemetry.toml', 'require = ["function"]\nredact = "(secret"\n');
    expect(problems(team)).toHaveLength(1);
    expect(problems(team)[0]).toMatch(/^telemetry\.toml:2:1: `redact` is not a valid regular expression: /);
  });

  it('reads [tool.telemetry] from pyproject.toml and locates its problems there', () => {
    const good = readTeamFile('/repo/pyproject.toml', '[project]\nname = "demo"\n\n[tool.telemetry]\nrequire = ["function"]\n');
    expect(good?.config).toEqual({ require: ['function'] });
    const bad = readTeamFile('/repo/pyproject.toml', '[project]\nname = "demo"\n[tool.telemetry]\n[[tool.telemetry.rules]]\nrequire = ["loops"]\n');
    expect(problems(bad)).toEqual([
      'pyproject.toml:5:1: `rules[0].require[0]` is "loops"; expected one of "function", "variable", "branch", "loop", "exception"',
    ]);
  });

  it('passes over a pyproject.toml without [tool.telemetry], even a broken one', () => {
    expect(readTeamFile('/repo/pyproject.toml', '[tool.ruff]\nline-length = 100\n')).toBeUndefined();
    expect(readTeamFile('/repo/pyproject.toml', '[project\n')).toBeUndefined();
  });

  it('never throws on odd values: dates, nested tables, wrong types', () => {
    const text = 'require = 1979-05-27\nredact = 3\n[rules]\nx = 1\n';
    const team = readTeamFile('/repo/telemetry.toml', text);
    expect(problems(team)).toEqual([
      'telemetry.toml:1:1: `require` must be a list, not a date',
      'telemetry.toml:2:1: `redact` must be a string, not the number 3',
      'telemetry.toml:3:1: `rules` must be a list, not a table',
    ]);
  });
});

describe('finding the team file', () => {
  let root: string;
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-team-'));
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  const write = (rel: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  };

  it('takes the nearest one above the file, whole', async () => {
    write('telemetry.toml', 'require = ["function"]\n');
    write('services/api/telemetry.toml', 'require = ["loop"]\n');
    const teams = new TeamFiles();
    expect((await teams.forFile(path.join(root, 'services/api/handlers/user.py')))?.file).toBe(path.join(root, 'services/api/telemetry.toml'));
    expect((await teams.forFile(path.join(root, 'services/worker/job.go')))?.file).toBe(path.join(root, 'telemetry.toml'));
    expect((await teams.forFile(path.join(root, 'main.go')))?.config).toEqual({ require: ['function'] });
  });

  it('prefers telemetry.toml to .telemetry.toml to pyproject.toml in one folder', async () => {
    write('a/pyproject.toml', '[tool.telemetry]\nrequire = []\n');
    write('a/.telemetry.toml', 'require = ["branch"]\n');
    write('a/telemetry.toml', 'require = ["loop"]\n');
    write('b/pyproject.toml', '[tool.telemetry]\nrequire = []\n');
    write('b/.telemetry.toml', 'require = ["branch"]\n');
    write('c/pyproject.toml', '[tool.telemetry]\nrequire = []\n');
    const teams = new TeamFiles();
    expect((await teams.forFile(path.join(root, 'a/x.py')))?.config?.require).toEqual(['loop']);
    expect((await teams.forFile(path.join(root, 'b/x.py')))?.config?.require).toEqual(['branch']);
    expect((await teams.forFile(path.join(root, 'c/x.py')))?.config?.require).toEqual([]);
  });

  it('looks past a pyproject.toml that has no [tool.telemetry]', async () => {
    write('telemetry.toml', 'require = ["exception"]\n');
    write('pkg/pyproject.toml', '[project]\nname = "pkg"\n');
    const team = await new TeamFiles().forFile(path.join(root, 'pkg/src/mod.py'));
    expect(team?.file).toBe(path.join(root, 'telemetry.toml'));
  });

  it('answers a broken nearest file as problems rather than falling back to one further up', async () => {
    write('telemetry.toml', 'require = ["function"]\n');
    write('pkg/telemetry.toml', 'require = [\n');
    const team = await new TeamFiles().forFile(path.join(root, 'pkg/mod.py'));
    expect(team?.file).toBe(path.join(root, 'pkg/telemetry.toml'));
    expect(team?.problems?.[0]).toMatchObject({ line: 2 });
  });

  it('sees a new team file only once cleared', async () => {
    const teams = new TeamFiles();
    const file = path.join(root, 'src/app.ts');
    const before = await teams.forFile(file);
    write('src/telemetry.toml', 'require = []\n');
    expect(await teams.forFile(file)).toBe(before);
    teams.clear();
    expect((await teams.forFile(file))?.file).toBe(path.join(root, 'src/telemetry.toml'));
  });

  it('loads a file named on the command line, and says when it cannot', async () => {
    write('ci/strict.toml', 'require = ["function", "loop"]\n');
    expect((await loadTeamFile(path.join(root, 'ci/strict.toml'))).config).toEqual({ require: ['function', 'loop'] });
    const missing = await loadTeamFile(path.join(root, 'ci/none.toml'));
    expect(problems(missing)).toEqual(['none.toml:1:1: cannot read it: no such file']);
    write('ci/pyproject.toml', '[project]\nname = "x"\n');
    expect(problems(await loadTeamFile(path.join(root, 'ci/pyproject.toml')))).toEqual(['pyproject.toml:1:1: has no [tool.telemetry] table']);
  });
});
