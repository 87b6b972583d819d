// Owns `check --changed-since`'s view of git: the repository holding the root, the ref resolved to
// a commit, the working tree's `git diff -U0 -M` against it as changed line spans per file (new
// side added, old side removed), the untracked files (wholly new), and a file's text at that
// commit. Bad input (no git, not a repository, an unknown ref) is a one-line UsageError: exit 2.
// Must never change the repository (no checkout, no index writes) and never decide what a changed
// function is (changed-functions.ts does).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from './args.js';

/** Inclusive 1-based line numbers. */
export interface LineSpan {
  first: number;
  last: number;
}

export interface FileDiff {
  /** Relative to the repository's top folder, `/`-separated; null when the file is new. */
  oldPath: string | null;
  /** Null when the file was deleted. */
  newPath: string | null;
  /** Lines of the working tree's file that the diff adds or changes. */
  added: LineSpan[];
  /** Lines of the ref's file that the diff removes or changes. */
  removed: LineSpan[];
}

export interface WorkingTreeDiff {
  /** The repository's top folder, real path. */
  top: string;
  ref: string;
  commit: string;
  files: FileDiff[];
  /** Untracked, not ignored files (absolute real paths): every line is new. */
  untracked: Set<string>;
}

/** The working tree's changes since `ref`, for the repository holding `dir`. */
export function diffSince(dir: string, ref: string): WorkingTreeDiff {
  if (ref.startsWith('-') || ref.trim() === '') throw new UsageError(`--changed-since wants a git ref, not "${ref}"`);
  const top = git(dir, ['rev-parse', '--show-toplevel'], () => `--changed-since: ${dir} is not inside a git repository`).trim();
  const commit = git(top, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`], () => `--changed-since: no such git ref: ${ref}`).trim();
  // Every option that a user's git config could turn another way is spelled out.
  const options = ['-U0', '-M', '--no-color', '--no-ext-diff', '--no-textconv', '--src-prefix=a/', '--dst-prefix=b/'];
  const patch = git(top, ['-c', 'core.quotePath=false', 'diff', ...options, commit, '--']);
  const others = git(top, ['ls-files', '-z', '--others', '--exclude-standard']);
  const untracked = new Set(others.split('\0').filter(Boolean).map((p) => path.join(top, p)));
  return { top: fs.realpathSync(top), ref, commit, files: parsePatch(patch), untracked };
}

/** The file's text at the diff's commit; undefined when it cannot be read there. */
export function textAt(diff: WorkingTreeDiff, relPath: string): string | undefined {
  try {
    return git(diff.top, ['cat-file', 'blob', `${diff.commit}:${relPath}`]);
  } catch {
    return undefined;
  }
}

/** `git diff -U0` output as spans per file. */
export function parsePatch(patch: string): FileDiff[] {
  const files: FileDiff[] = [];
  let current: FileDiff | undefined;
  for (const line of patch.split('\n')) {
    if (line.startsWith('diff --git ')) {
      current = { oldPath: null, newPath: null, added: [], removed: [] };
      files.push(current);
    } else if (!current) {
      continue;
    } else if (line.startsWith('--- ')) {
      current.oldPath = sidePath(line.slice(4), 'a/');
    } else if (line.startsWith('+++ ')) {
      current.newPath = sidePath(line.slice(4), 'b/');
    } else if (line.startsWith('rename from ')) {
      current.oldPath = unquote(line.slice('rename from '.length));
    } else if (line.startsWith('rename to ')) {
      current.newPath = unquote(line.slice('rename to '.length));
    } else if (line.startsWith('@@ ')) {
      const hunk = /^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@/.exec(line);
      if (!hunk) continue;
      const span = (start: string, count: string | undefined): LineSpan | undefined => {
        const n = count === undefined ? 1 : Number(count);
        return n === 0 ? undefined : { first: Number(start), last: Number(start) + n - 1 };
      };
      const removed = span(hunk[1]!, hunk[2]);
      const added = span(hunk[3]!, hunk[4]);
      if (removed) current.removed.push(removed);
      if (added) current.added.push(added);
    }
  }
  return files;
}

export function overlaps(spans: readonly LineSpan[], first: number, last: number): boolean {
  return spans.some((span) => span.first <= last && first <= span.last);
}

function sidePath(text: string, prefix: string): string | null {
  const name = unquote(text.replace(/\t$/, ''));
  if (name === '/dev/null') return null;
  return name.startsWith(prefix) ? name.slice(prefix.length) : name;
}

/** Git quotes names with unusual bytes C-style, even with core.quotePath off. */
function unquote(text: string): string {
  if (!text.startsWith('"') || !text.endsWith('"')) return text;
  const bytes: number[] = [];
  const body = text.slice(1, -1);
  const escapes: Record<string, number> = { n: 10, t: 9, r: 13, b: 8, f: 12, v: 11, a: 7, '"': 34, '\\': 92 };
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== '\\') {
      bytes.push(...Buffer.from(c, 'utf8'));
      continue;
    }
    const next = body[++i]!;
    if (/[0-7]/.test(next)) {
      bytes.push(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else {
      bytes.push(escapes[next] ?? next.charCodeAt(0));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Runs git; a failure becomes a one-line UsageError from `failure`, or the git message. */
function git(cwd: string, args: string[], failure?: () => string): string {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 1 << 30 });
  } catch (error) {
    const { code, stderr } = error as NodeJS.ErrnoException & { stderr?: string };
    if (code === 'ENOENT') throw new UsageError('--changed-since needs git, which was not found on PATH', false);
    const said = (stderr ?? '').trim().split('\n')[0] ?? '';
    throw new UsageError(failure ? failure() : `--changed-since: git ${args[0]} failed: ${said || String(error)}`, false);
  }
}
