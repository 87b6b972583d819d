import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { changedFiles, cli, makeProject, removeProject, runtimeFiles, snapshot } from './helpers.js';

let project: string;
beforeEach(() => {
  project = makeProject();
});
afterEach(() => {
  fs.chmodSync(project, 0o755);
  removeProject(project);
});

describe('telemetry-injector strip', () => {
  it('restores every source file byte for byte after inject', async () => {
    const before = snapshot(project);
    const injected = await cli(['inject', '.'], { cwd: project });
    expect(injected.code).toBe(0);
    expect(injected.stdout).toMatch(
      new RegExp(`^\\d+ files changed, \\d+ functions instrumented, ${runtimeFiles.length} runtime files created, 0 skipped$`, 'm'),
    );
    const instrumented = snapshot(project);
    const changed = changedFiles(before, instrumented).filter((p) => !runtimeFiles.includes(p));
    // Every fixture holding a function that lacks telemetry changed (stubs.s and go.mod did not).
    expect(changed.length).toBeGreaterThanOrEqual(18);
    expect(instrumented.get('python/functions.py')!.toString()).toContain('import telemetry_runtime as _tm');
    expect(instrumented.get('go/functions.go')!.toString()).toContain('import _tm "example.com/fixtures/telemetry"');
    expect(instrumented.get('typescript/functions.ts')!.toString()).toContain('"../telemetry-runtime.cjs"');

    const stripped = await cli(['strip', '.'], { cwd: project });
    expect(stripped.code).toBe(0);
    expect(stripped.stdout).toMatch(new RegExp(`^${changed.length} files changed, \\d+ functions stripped, 0 left in place`, 'm'));
    const after = snapshot(project);
    expect(changedFiles(before, after)).toEqual(runtimeFiles);
  });

  it('writes nothing under --dry-run and lists what would change', async () => {
    await cli(['inject', 'python'], { cwd: project });
    const instrumented = snapshot(project);
    const stripped = await cli(['strip', 'python', '--dry-run'], { cwd: project });
    expect(stripped.code).toBe(0);
    expect(stripped.stdout).toMatch(/^python\/functions\.py: would remove telemetry from parse, /m);
    expect(changedFiles(instrumented, snapshot(project))).toEqual([]);
  });

  it('warns about probes edited by hand, leaves them in place, and exits 1', async () => {
    await cli(['inject', 'python/unicode.py'], { cwd: project });
    const file = path.join(project, 'python/unicode.py');
    const instrumented = fs.readFileSync(file, 'utf8');
    // Hand-edit the exit clauses of the first function only.
    const edited = instrumented.replace('except BaseException as __e', 'except Exception as __e');
    expect(edited).not.toBe(instrumented);
    fs.writeFileSync(file, edited);
    const run = await cli(['strip', 'python/unicode.py'], { cwd: project });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('warning: python/unicode.py: the probes in `после` were edited by hand and were left in place');
    const after = fs.readFileSync(file, 'utf8');
    expect(after).toContain('_tm.enter("после"');
    expect(after).not.toContain('_tm.enter("after_emoji"');
  });
});

describe('telemetry-injector inject', () => {
  it('creates each runtime file once and never overwrites it', async () => {
    expect((await cli(['inject', 'python', 'javascript'], { cwd: project })).code).toBe(0);
    const runtime = path.join(project, 'telemetry_runtime.py');
    expect(fs.readFileSync(runtime, 'utf8')).toContain('def enter(');
    fs.appendFileSync(runtime, '# edited by the team\n');
    fs.writeFileSync(path.join(project, 'python/later.py'), 'def later():\n    return 1\n');

    const again = await cli(['inject', 'python', 'javascript'], { cwd: project });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('1 file changed, 1 function instrumented, 0 runtime files created');
    expect(fs.readFileSync(runtime, 'utf8')).toMatch(/# edited by the team\n$/);
    expect(fs.readFileSync(path.join(project, 'python/later.py'), 'utf8')).toContain('_tm.enter("later"');
  });

  it('keeps a UTF-8 byte order mark first in the file, before the runtime import', async () => {
    const file = path.join(project, 'python/bom.py');
    const original = Buffer.from('\uFEFFdef f(x):\r\n    return x\r\n', 'utf8');
    fs.writeFileSync(file, original);
    expect((await cli(['inject', 'python/bom.py'], { cwd: project })).code).toBe(0);
    expect(fs.readFileSync(file, 'utf8').startsWith('\uFEFFimport telemetry_runtime as _tm\r\n')).toBe(true);
    expect((await cli(['strip', 'python/bom.py'], { cwd: project })).code).toBe(0);
    expect(fs.readFileSync(file).equals(original)).toBe(true);
  });

  it('writes nothing under --dry-run and lists what would change', async () => {
    const before = snapshot(project);
    const injected = await cli(['inject', '.', '--dry-run'], { cwd: project });
    expect(injected.code).toBe(0);
    expect(injected.stdout).toMatch(/^python\/functions\.py: would instrument parse, fetch, outer, /m);
    expect(injected.stdout).toContain('would create telemetry_runtime.py');
    expect(changedFiles(before, snapshot(project))).toEqual([]);
  });

  it('writes under --out at the same relative paths and leaves the originals untouched', async () => {
    const before = snapshot(project);
    const out = `${project}-out`;
    try {
      const injected = await cli(['inject', 'python', 'go', '--out', out], { cwd: project });
      expect(injected.code).toBe(0);
      expect(changedFiles(before, snapshot(project))).toEqual([]);
      const written = snapshot(out);
      expect(written.get('python/functions.py')!.toString()).toContain('_tm.enter("parse"');
      expect(written.has('telemetry_runtime.py')).toBe(true);
      expect(written.has('go/telemetry/telemetry.go')).toBe(true);

      const stripped = await cli(['strip', '.', '--out', project, '--root', out], { cwd: out });
      expect(stripped.code).toBe(0);
      expect(changedFiles(before, snapshot(project))).toEqual([]);
    } finally {
      removeProject(out);
    }
  });

  it('exits 2 and changes nothing when the runtime path does not exist', async () => {
    const before = snapshot(project);
    const run = await cli(['inject', '.', '--runtime-path', 'no/such/folder'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the runtime path ${path.join(project, 'no/such/folder')} (--runtime-path) is not an existing folder`);
    expect(changedFiles(before, snapshot(project))).toEqual([]);
  });

  it('exits 2 and changes nothing when the runtime path is not writable', async () => {
    // Root ignores permissions, so as root the command runs as `nobody`, who may write the sources only.
    const asRoot = process.getuid?.() === 0;
    fs.mkdirSync(path.join(project, 'rt'), { mode: 0o555 });
    fs.chmodSync(path.join(project, 'rt'), 0o555);
    fs.chmodSync(project, 0o755);
    fs.chmodSync(path.join(project, 'python'), 0o777);
    for (const file of fs.readdirSync(path.join(project, 'python'))) fs.chmodSync(path.join(project, 'python', file), 0o666);
    const before = snapshot(project);
    const run = await cli(['inject', 'python', '--runtime-path', 'rt'], { cwd: project, ...(asRoot ? { uid: 65534, gid: 65534 } : {}) });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`the runtime path ${path.join(project, 'rt')} (--runtime-path) is not writable; no file was changed`);
    expect(changedFiles(before, snapshot(project))).toEqual([]);
  });
});
