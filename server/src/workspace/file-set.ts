// Owns which files belong to a workspace, for the language server's scan and for the CLI alike:
// files of a supported language under a root, minus what the ignore files leave out (.gitignore
// files at every level as git reads them, those of the enclosing repository above the root, and
// .git/info/exclude), the include/exclude globs (./file-filter.ts), the folders never entered
// (dependencies, build output, version control), nested workspace folders (scanned with their own
// settings) and the runtime module itself. A walk may start below the root, at a folder named on
// the command line: that folder is taken even when a rule leaves it out, and only the rules that
// leave it out are set aside inside it. A file named on the command line is always taken.
// Size, NUL-byte and UTF-8 limits are judged where the bytes are read, by ./file-filter.ts.
// Must never read a file's contents, except ignore files, and never stop at an unreadable folder:
// it is told to `unreadable` once and the walk goes on.
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { LanguageId } from '../engine/types.js';
import { isInside, toPosix } from './file-filter.js';
import { isRuntimeFile, type RuntimeTemplate } from './runtime-location.js';

/** Folders never entered, at any depth (the default exclude globs only match at the root). */
export const skippedFolders: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'vendor']);

/** What the file set needs to know about languages: the engine answers both. */
export interface Languages {
  languageForPath(filePath: string): LanguageId | null;
  runtimeFiles(lang: LanguageId): RuntimeTemplate[];
}

export interface FileSetOptions {
  /** The workspace folder, or the CLI's root: globs are relative to it. */
  root: string;
  include: readonly string[];
  exclude: readonly string[];
  /** False for --no-ignore: .gitignore files and .git/info/exclude are not read. */
  useIgnoreFiles: boolean;
  /** Other workspace folders: never entered from this one. */
  otherRoots?: readonly string[];
  languages: Languages;
  /** A folder or ignore file that could not be read; told once per path. */
  unreadable(fullPath: string, error: unknown): void;
}

export interface ListedFile {
  filePath: string;
  /** Relative to the root, with `/` separators. */
  relPath: string;
  lang: LanguageId;
}

/** The rules of one ignore file, relative to the folder they apply from. */
interface IgnoreLevel {
  dir: string;
  lines: readonly string[];
  rules: Ignore;
}

/** The rules in force under a folder the walk starts from or enters. */
interface Rules {
  levels: readonly IgnoreLevel[];
  excluded: (relPath: string) => boolean;
}

export class FileSet {
  private readonly included: (relPath: string) => boolean;
  private readonly excluded: (relPath: string) => boolean;
  /** Ignore file path -> its rules (undefined when there is none); each read once. */
  private readonly ignoreFiles = new Map<string, Promise<IgnoreLevel | undefined>>();
  private readonly toldUnreadable = new Set<string>();
  private readonly templates = new Map<LanguageId, RuntimeTemplate[]>();
  private repository: Promise<Repository | undefined> | undefined;

  constructor(private readonly options: FileSetOptions) {
    this.included = picomatch([...options.include], { dot: true });
    this.excluded = globs(options.exclude);
  }

  get root(): string {
    return this.options.root;
  }

  /**
   * Every file under `start` (the root, or a folder inside it), depth first in name order.
   * Stops early, returning what it has, once `stale()`.
   */
  async list(start: string = this.root, stale: () => boolean = () => false): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    const visit = async (dir: string, outer: Rules): Promise<void> => {
      if (stale()) return;
      const entries = await this.readdir(dir);
      if (!entries) return;
      const rules = { ...outer, levels: await this.levelsIn(dir, outer.levels, entries) };
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (this.enters(full, rules)) await visit(full, rules);
        } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full)))) {
          const file = this.fileAt(full, rules);
          if (file) files.push(file);
        }
      }
    };
    await visit(start, await this.rulesAt(start));
    return files;
  }

  /** The file as a walk of the root would list it, or undefined when the walk leaves it out (or it is gone). */
  async accepts(filePath: string): Promise<ListedFile | undefined> {
    if (!isInside(filePath, this.root) || !(await isFile(filePath))) return undefined;
    let rules = await this.rulesAt(this.root);
    let dir = this.root;
    for (const part of path.relative(this.root, path.dirname(filePath)).split(path.sep).filter(Boolean)) {
      rules = { ...rules, levels: await this.levelsIn(dir, rules.levels) };
      dir = path.join(dir, part);
      if (!this.enters(dir, rules)) return undefined;
    }
    return this.fileAt(filePath, { ...rules, levels: await this.levelsIn(dir, rules.levels) });
  }

  /** A file named on the command line: taken whatever the ignore files and globs say. */
  named(filePath: string): ListedFile | { skipped: string } {
    const lang = this.options.languages.languageForPath(filePath);
    if (!lang) return { skipped: 'not a supported language' };
    if (this.isRuntime(filePath, lang)) return { skipped: 'it is the telemetry runtime module' };
    return { filePath, relPath: this.relative(filePath), lang };
  }

  private enters(dir: string, rules: Rules): boolean {
    if (skippedFolders.has(path.basename(dir))) return false;
    if (this.options.otherRoots?.includes(dir)) return false;
    return !rules.excluded(this.relative(dir)) && !gitignored(rules.levels, dir, true);
  }

  private fileAt(filePath: string, rules: Rules): ListedFile | undefined {
    const lang = this.options.languages.languageForPath(filePath);
    if (!lang) return undefined;
    const relPath = this.relative(filePath);
    if (!this.included(relPath) || rules.excluded(relPath) || gitignored(rules.levels, filePath, false)) return undefined;
    if (this.isRuntime(filePath, lang)) return undefined;
    return { filePath, relPath, lang };
  }

  /**
   * The rules in force at the folder a walk starts from: the ignore files from the repository's
   * top (or the root) down to its parent, and the exclude globs. Whatever leaves `start` itself
   * out is set aside: the user named that folder, or opened it as a workspace.
   */
  private async rulesAt(start: string): Promise<Rules> {
    // The repository's top is the root itself or a folder above it.
    const top = (await this.findRepository())?.top ?? this.root;
    const chain: string[] = [];
    for (let dir = path.dirname(start); dir === top || isInside(dir, top); dir = path.dirname(dir)) chain.unshift(dir);
    let levels: IgnoreLevel[] = [];
    for (const dir of chain) levels = await this.levelsIn(dir, levels);
    levels = levels.map((level) => withoutRulesIgnoring(level, start));
    if (start === this.root) return { levels, excluded: this.excluded };
    const startPath = this.relative(start);
    const kept = this.options.exclude.filter((glob) => !picomatch(glob, { dot: true })(startPath));
    return { levels, excluded: kept.length === this.options.exclude.length ? this.excluded : globs(kept) };
  }

  /** The ignore levels in force inside `dir`: the outer ones, .git/info/exclude at the repository's top, its .gitignore. */
  private async levelsIn(dir: string, outer: readonly IgnoreLevel[], entries?: readonly fs.Dirent[]): Promise<IgnoreLevel[]> {
    const levels = [...outer];
    if (!this.options.useIgnoreFiles) return levels;
    const repository = await this.findRepository();
    const files: string[] = [];
    if (repository?.top === dir && repository.exclude) files.push(repository.exclude);
    if (!entries || entries.some((entry) => entry.name === '.gitignore' && !entry.isDirectory())) files.push(path.join(dir, '.gitignore'));
    for (const file of files) {
      const level = await this.ignoreFile(file, dir);
      if (level) levels.push(level);
    }
    return levels;
  }

  private ignoreFile(file: string, dir: string): Promise<IgnoreLevel | undefined> {
    let level = this.ignoreFiles.get(file);
    if (!level) {
      level = fs.promises.readFile(file, 'utf8').then(
        (text) => levelOf(dir, text.split(/\r?\n/)),
        (error: unknown) => {
          if (!isMissing(error)) this.tell(file, error);
          return undefined;
        },
      );
      this.ignoreFiles.set(file, level);
    }
    return level;
  }

  /** The git repository the root lies in (or is), found once; ignore files are read from its top. */
  private findRepository(): Promise<Repository | undefined> {
    if (!this.options.useIgnoreFiles) return Promise.resolve(undefined);
    return (this.repository ??= repositoryOf(this.root));
  }

  private async readdir(dir: string): Promise<fs.Dirent[] | undefined> {
    try {
      const entries = await fs.promises.readdir(dir, { withFileTypes: true });
      return entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    } catch (error) {
      if (!isMissing(error)) this.tell(dir, error);
      return undefined;
    }
  }

  private tell(fullPath: string, error: unknown): void {
    if (this.toldUnreadable.has(fullPath)) return;
    this.toldUnreadable.add(fullPath);
    this.options.unreadable(fullPath, error);
  }

  private isRuntime(filePath: string, lang: LanguageId): boolean {
    let templates = this.templates.get(lang);
    if (!templates) {
      try {
        templates = this.options.languages.runtimeFiles(lang);
      } catch {
        templates = []; // a language without a runtime has no runtime file to leave out
      }
      this.templates.set(lang, templates);
    }
    return isRuntimeFile(filePath, templates);
  }

  private relative(filePath: string): string {
    return toPosix(path.relative(this.root, filePath));
  }
}

interface Repository {
  /** The folder that holds `.git`. */
  top: string;
  /** Its .git/info/exclude (in the common git folder for a worktree); undefined when it cannot be found. */
  exclude?: string;
}

/** The nearest folder at or above `from` that holds `.git` (a folder, or a file as in worktrees and submodules). */
async function repositoryOf(from: string): Promise<Repository | undefined> {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const dotGit = path.join(dir, '.git');
    const stat = await fs.promises.stat(dotGit).catch(() => undefined);
    if (stat?.isDirectory()) return { top: dir, exclude: path.join(dotGit, 'info', 'exclude') };
    if (stat?.isFile()) return { top: dir, ...(await worktreeExclude(dotGit)) };
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** A `.git` file says `gitdir: <path>`; a worktree's git folder names the shared one in `commondir`. */
async function worktreeExclude(dotGitFile: string): Promise<{ exclude?: string }> {
  try {
    const gitdir = /^gitdir:\s*(.+?)\s*$/m.exec(await fs.promises.readFile(dotGitFile, 'utf8'))?.[1];
    if (!gitdir) return {};
    const dir = path.resolve(path.dirname(dotGitFile), gitdir);
    const common = await fs.promises.readFile(path.join(dir, 'commondir'), 'utf8').then(
      (text) => path.resolve(dir, text.trim()),
      () => dir,
    );
    return { exclude: path.join(common, 'info', 'exclude') };
  } catch {
    return {};
  }
}

/** Git matches case as the file system does: core.ignoreCase is set on macOS and Windows only. */
const ignoreCase = process.platform === 'darwin' || process.platform === 'win32';

function levelOf(dir: string, lines: readonly string[]): IgnoreLevel {
  return { dir, lines, rules: ignore({ ignoreCase }).add([...lines]) };
}

/** The level without the lines that, on their own, leave `start` (or a folder above it) out. */
function withoutRulesIgnoring(level: IgnoreLevel, start: string): IgnoreLevel {
  if (!isInside(start, level.dir) || !gitignored([level], start, true)) return level;
  const startPath = `${toPosix(path.relative(level.dir, start))}/`;
  return levelOf(
    level.dir,
    level.lines.filter((line) => !ignore({ ignoreCase }).add(line).test(startPath).ignored),
  );
}

/** Git's reading: the innermost level that has a say wins, and a negation re-includes. */
function gitignored(levels: readonly IgnoreLevel[], fullPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { dir, rules } of levels) {
    if (!isInside(fullPath, dir)) continue;
    const result = rules.test(toPosix(path.relative(dir, fullPath)) + (isDir ? '/' : ''));
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

function globs(patterns: readonly string[]): (relPath: string) => boolean {
  return patterns.length > 0 ? picomatch([...patterns], { dot: true }) : () => false;
}

function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(filePath)).isFile();
  } catch {
    return false;
  }
}
