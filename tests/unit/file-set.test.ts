import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { FileSet, type FileSetOptions, type Languages } from '../../server/src/workspace/file-set.js';

/** Python only, with the Python runtime module: the narrow interface the engine fills in the product. */
const python: Languages = {
  languageForPath: (filePath) => (filePath.endsWith('.py') ? 'python' : null),
  runtimeFiles: () => [{ fileName: 'telemetry_runtime.py', content: '' }],
};

let scratch: string;

afterEach(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder holding `files` (relative path -> text). */
function folder(files: Record<string, string>): string {
  scratch = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-file-set-unit-')));
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(scratch, file)), { recursive: true });
    fs.writeFileSync(path.join(scratch, file), text);
  }
  return scratch;
}

function fileSet(root: string, options: Partial<FileSetOptions> = {}): FileSet {
  const unreadable = (fullPath: string, error: unknown) => {
    throw new Error(`unexpected unreadable ${fullPath}: ${String(error)}`);
  };
  return new FileSet({ root, include: ['**/*'], exclude: [], useIgnoreFiles: true, languages: python, unreadable, ...options });
}

async function listed(set: FileSet, start?: string): Promise<string[]> {
  return (await set.list(start)).map((file) => file.relPath);
}

function git(cwd: string, ...args: string[]): void {
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args], { cwd, stdio: 'ignore' });
}

describe('the file set', () => {
  it('reads the .gitignore files of the repository above the root, and .git/info/exclude at its top', async () => {
    const repo = folder({ '.gitignore': '*.gen.py\n', 'pkg/a.py': '', 'pkg/a.gen.py': '', 'pkg/scratch/b.py': '' });
    git(repo, 'init', '-q');
    fs.appendFileSync(path.join(repo, '.git/info/exclude'), 'scratch/\n');
    expect(await listed(fileSet(path.join(repo, 'pkg')))).toEqual(['a.py']);
  });

  it('finds .git/info/exclude in the shared git folder from a worktree\'s .git file', async () => {
    const repo = folder({ 'main/a.py': '' });
    git(path.join(repo, 'main'), 'init', '-q');
    git(path.join(repo, 'main'), 'commit', '-q', '--allow-empty', '-m', 'start');
    git(path.join(repo, 'main'), 'worktree', 'add', '-q', path.join(repo, 'wt'));
    fs.appendFileSync(path.join(repo, 'main/.git/info/exclude'), 'local.py\n');
    fs.writeFileSync(path.join(repo, 'wt/local.py'), '');
    fs.writeFileSync(path.join(repo, 'wt/kept.py'), '');
    expect(await listed(fileSet(path.join(repo, 'wt')))).toEqual(['kept.py']);
  });

  it('scans a workspace folder that an outer .gitignore leaves out, with the outer rules that do not', async () => {
    const repo = folder({ '.gitignore': 'build/\n*.gen.py\n', 'build/out/a.py': '', 'build/out/b.gen.py': '' });
    git(repo, 'init', '-q');
    expect(await listed(fileSet(path.join(repo, 'build/out')))).toEqual(['a.py']);
  });

  it('walks a named folder that a glob excludes, keeping the globs that do not exclude it', async () => {
    const root = folder({ 'vendored/lib/a.py': '', 'vendored/lib/a_test.py': '', 'app.py': '' });
    const set = fileSet(root, { exclude: ['vendored/**', '**/*_test.py'] });
    expect(await listed(set)).toEqual(['app.py']);
    expect(await listed(set, path.join(root, 'vendored'))).toEqual(['vendored/lib/a.py']);
  });

  it('reads ignore files only when told to', async () => {
    const root = folder({ '.gitignore': 'gen/\n', 'gen/a.py': '', 'b.py': '' });
    expect(await listed(fileSet(root))).toEqual(['b.py']);
    expect(await listed(fileSet(root, { useIgnoreFiles: false }))).toEqual(['b.py', 'gen/a.py']);
  });

  it.runIf(process.platform === 'linux')('matches ignore rules case-sensitively, as git does on Linux', async () => {
    const root = folder({ '.gitignore': 'build/\n', 'build/a.py': '', 'Build/b.py': '' });
    expect(await listed(fileSet(root))).toEqual(['Build/b.py']);
  });

  it('never enters a nested workspace folder, nor lists the runtime module', async () => {
    const root = folder({ 'a.py': '', 'inner/b.py': '', 'telemetry_runtime.py': '' });
    expect(await listed(fileSet(root, { otherRoots: [path.join(root, 'inner')] }))).toEqual(['a.py']);
  });

  it('accepts a file exactly when a walk of the root lists it', async () => {
    const root = folder({
      '.gitignore': 'out/\n*.gen.py\ngen/*\n!gen/keep.py\n',
      'lib/.gitignore': 'local_*.py\n!local_keep.py\n',
      'a.py': '',
      'a.gen.py': '',
      'out/b.py': '',
      'gen/drop.py': '',
      'gen/keep.py': '',
      'lib/local_x.py': '',
      'lib/local_keep.py': '',
      'lib/deep/c.py': '',
      'node_modules/d.py': '',
      'readme.txt': '',
    });
    const set = fileSet(root);
    const walk = await listed(set);
    expect(walk).toEqual(['a.py', 'gen/keep.py', 'lib/deep/c.py', 'lib/local_keep.py']);
    const everyFile = fs.readdirSync(root, { recursive: true, withFileTypes: true }).filter((entry) => entry.isFile());
    const accepted: string[] = [];
    for (const entry of everyFile) {
      const file = await set.accepts(path.join(entry.parentPath, entry.name));
      if (file) accepted.push(file.relPath);
    }
    expect(accepted.sort()).toEqual([...walk].sort());
  });

  it('takes a named file whatever the rules say, but not the runtime module or another language', () => {
    const root = folder({ '.gitignore': '*.py\n' });
    const set = fileSet(root);
    expect(set.named(path.join(root, 'x.py'))).toEqual({ filePath: path.join(root, 'x.py'), relPath: 'x.py', lang: 'python' });
    expect(set.named(path.join(root, 'telemetry_runtime.py'))).toEqual({ skipped: 'it is the telemetry runtime module' });
    expect(set.named(path.join(root, 'x.txt'))).toEqual({ skipped: 'not a supported language' });
  });
});
