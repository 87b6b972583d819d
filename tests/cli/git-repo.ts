// A real git repository in a temporary folder, for the tests of `check --changed-since` and
// baselines: files written, committed and tagged through the real `git`.
// Must never touch a repository it did not create.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export class GitRepo {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-git-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'tests@example.invalid');
    this.git('config', 'user.name', 'Tests');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    // The tests' own environment must not point git at another repository.
    const env = { ...process.env, GIT_DIR: undefined, GIT_WORK_TREE: undefined, GIT_INDEX_FILE: undefined };
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  write(relPath: string, text: string): void {
    const file = path.join(this.dir, relPath);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }

  read(relPath: string): string {
    return fs.readFileSync(path.join(this.dir, relPath), 'utf8');
  }

  commit(message: string): void {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Python source from lines, so that each test's code reads as the file it writes. */
export function py(...lines: string[]): string {
  return `${lines.join('\n')}\n`;
}
