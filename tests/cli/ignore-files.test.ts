// check, inject and strip walk folders as the language server does: what .gitignore leaves out is
// never listed or touched unless it is named on the command line or --no-ignore is given, and an
// unreadable folder is reported once while the rest is processed.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles, cli, removeProject, snapshot, unprivilegedUser, whyNotLocked, type Run } from './helpers.js';

const source = 'def parse(text):\n    return text.split(",")\n';
const venvFile = '.venv/lib/site.py';

let project: string;

beforeEach(() => {
  project = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-cli-ignore-'));
  const files: Record<string, string> = {
    '.gitignore': '.venv/\n*.gen.py\n',
    'app.py': source,
    [venvFile]: source,
    '.venv/lib/schema.gen.py': source,
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(project, file)), { recursive: true });
    fs.writeFileSync(path.join(project, file), text);
  }
});

afterEach(() => removeProject(project));

const run = (...args: string[]) => cli(args, { cwd: project });

/** The files `check --format json` reports, sorted. */
function checked(result: Run): string[] {
  return (JSON.parse(result.stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();
}

const venv = () => snapshot(path.join(project, '.venv'));

describe('an ignored .venv folder', () => {
  it('is never listed by check on a walk', async () => {
    expect(checked(await run('check', '.', '--format', 'json'))).toEqual(['app.py']);
  });

  it('is never touched by inject or strip on a walk', async () => {
    const before = venv();
    const injected = await run('inject', '.');
    expect(injected.code).toBe(0);
    expect(injected.stdout).not.toContain('.venv');
    expect(changedFiles(before, venv())).toEqual([]);
    expect(fs.readFileSync(path.join(project, 'app.py'), 'utf8')).not.toBe(source);

    // Instrument the ignored file by naming it, then strip the project: it keeps its probes.
    expect((await run('inject', venvFile)).code).toBe(0);
    const instrumented = venv();
    expect(changedFiles(before, instrumented)).toEqual(['lib/site.py']);
    const stripped = await run('strip', '.');
    expect(stripped.code).toBe(0);
    expect(changedFiles(instrumented, venv())).toEqual([]);
    expect(fs.readFileSync(path.join(project, 'app.py'), 'utf8')).toBe(source);
  });

  it('is taken when a file in it is named on the command line', async () => {
    expect(checked(await run('check', venvFile, '--format', 'json'))).toEqual([venvFile]);
    const dryRun = await run('inject', venvFile, '--dry-run');
    expect(dryRun.stdout).toContain(`${venvFile}: would instrument parse`);
  });

  it('is walked when named on the command line, where only the rule that left it out is set aside', async () => {
    // `*.gen.py` still applies inside the named folder; `.venv/` does not.
    expect(checked(await run('check', '.venv', '--format', 'json'))).toEqual([venvFile]);
    expect((await run('inject', '.venv')).code).toBe(0);
    expect(fs.readFileSync(path.join(project, venvFile), 'utf8')).not.toBe(source);
    expect(fs.readFileSync(path.join(project, 'app.py'), 'utf8')).toBe(source);
    expect((await run('strip', '.venv')).code).toBe(0);
    expect(fs.readFileSync(path.join(project, venvFile), 'utf8')).toBe(source);
  });

  it('is listed, and touched, with --no-ignore', async () => {
    const all = ['.venv/lib/schema.gen.py', venvFile, 'app.py'];
    expect(checked(await run('check', '.', '--no-ignore', '--format', 'json'))).toEqual(all);
    const dryRun = await run('inject', '.', '--no-ignore', '--dry-run');
    expect(dryRun.stdout).toContain(`${venvFile}: would instrument parse`);
    const before = venv();
    expect((await run('inject', '.', '--no-ignore')).code).toBe(0);
    expect(changedFiles(before, venv())).toEqual(['lib/schema.gen.py', 'lib/site.py']);
    const stripped = await run('strip', '.', '--no-ignore', '--dry-run');
    expect(stripped.stdout).toContain(`${venvFile}: would remove telemetry from parse`);
    expect(stripped.stdout).toContain('3 files would change');
  });

  it('is named in each command\'s --help as --no-ignore', async () => {
    for (const command of ['check', 'inject', 'strip']) {
      expect((await run(command, '--help')).stdout).toContain('--no-ignore');
    }
  });
});

describe('an unreadable folder', () => {
  it('is reported once on stderr, and the rest is still checked', async (context) => {
    fs.mkdirSync(path.join(project, 'sub/locked'), { recursive: true });
    fs.writeFileSync(path.join(project, 'sub/ok.py'), source);
    fs.writeFileSync(path.join(project, 'sub/locked/secret.py'), source);
    fs.chmodSync(path.join(project, 'sub/locked'), 0o000);
    try {
      // Root reads through any mode bits, so as root the CLI runs as the unprivileged `nobody`.
      const user = unprivilegedUser();
      if (user) fs.chmodSync(project, 0o755);
      const reason = whyNotLocked(path.join(project, 'sub/locked'), user);
      if (reason) context.skip(`mode 000 does not keep the CLI out of a folder here: ${reason}`);
      // Both arguments reach the locked folder: it is still reported only once.
      const result = await cli(['check', '.', 'sub', '--format', 'json'], { cwd: project, ...user });
      expect(result.stderr.match(/cannot read/g)).toHaveLength(1);
      expect(result.stderr).toContain('telemetry-injector: cannot read sub/locked: permission denied');
      expect(checked(result)).toEqual(['app.py', 'sub/ok.py']);
      expect(result.code).toBe(2);
    } finally {
      fs.chmodSync(path.join(project, 'sub/locked'), 0o755);
    }
  });
});
