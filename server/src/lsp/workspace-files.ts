// Owns which files under one workspace folder the workspace scan reads: files of a supported
// language, minus what .gitignore files ignore (nested ones too, as git reads them, and
// .git/info/exclude), the include/exclude globs, the folders the CLI never enters either
// (workspace/walk.ts), nested workspace folders (scanned with their own settings) and the runtime
// module itself. Folders are read asynchronously so that a large tree never holds the main thread.
// Must never read a file's contents, except .gitignore files.
import fs from 'node:fs';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { TelemetrySettings } from '../../../protocol/settings.js';
import type { LanguageId } from '../engine/types.js';
import { isInside, toPosix } from '../workspace/file-filter.js';
import { skippedFolders } from '../workspace/walk.js';

export interface ListedFile {
  filePath: string;
  /** Relative to the folder, with `/` separators. */
  relPath: string;
  lang: LanguageId;
}

export interface FolderRulesOptions {
  root: string;
  settings: Pick<TelemetrySettings, 'include' | 'exclude'>;
  /** Other workspace folders: never entered from this one. */
  otherRoots: readonly string[];
  languageFor(filePath: string): LanguageId | null;
  isRuntime(filePath: string, lang: LanguageId): boolean;
}

/** The rules of one .gitignore (or .git/info/exclude), relative to the folder that holds it. */
interface IgnoreLevel {
  dir: string;
  rules: Ignore;
}

export class FolderRules {
  private readonly included: (relPath: string) => boolean;
  private readonly excluded: (relPath: string) => boolean;
  /** .gitignore (or .git/info/exclude) path -> its rules, undefined when there is none; read once per scan. */
  private readonly ignoreFiles = new Map<string, Promise<Ignore | undefined>>();

  constructor(private readonly options: FolderRulesOptions) {
    const { include, exclude } = options.settings;
    this.included = picomatch([...include], { dot: true });
    this.excluded = exclude.length > 0 ? picomatch([...exclude], { dot: true }) : () => false;
  }

  get root(): string {
    return this.options.root;
  }

  /** Every file to scan, in a stable order; stops early (returning what it has) once `stale()`. */
  async list(stale: () => boolean): Promise<ListedFile[]> {
    const files: ListedFile[] = [];
    const visit = async (dir: string, levels: IgnoreLevel[]): Promise<void> => {
      if (stale()) return;
      let entries: fs.Dirent[];
      try {
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch {
        return; // unreadable or gone: nothing to scan there
      }
      const hasGitignore = entries.some((entry) => entry.name === '.gitignore' && entry.isFile());
      const inner = await this.levelsIn(dir, levels, hasGitignore);
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      const folders: string[] = [];
      for (const entry of entries) {
        const full = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          if (this.enters(full, inner)) folders.push(full);
        } else if (entry.isFile() || (entry.isSymbolicLink() && (await isFile(full)))) {
          const file = this.fileAt(full, inner);
          if (file) files.push(file);
        }
      }
      for (const folder of folders) await visit(folder, inner);
    };
    await visit(this.root, []);
    return files;
  }

  /** The file as the scan would list it, or undefined when the scan leaves it out (or it is gone). */
  async accepts(filePath: string): Promise<ListedFile | undefined> {
    if (!isInside(filePath, this.root) || !(await isFile(filePath))) return undefined;
    let levels = await this.levelsIn(this.root, [], true);
    const parts = path.relative(this.root, path.dirname(filePath)).split(path.sep).filter(Boolean);
    let dir = this.root;
    for (const part of parts) {
      dir = path.join(dir, part);
      if (!this.enters(dir, levels)) return undefined;
      levels = await this.levelsIn(dir, levels, true);
    }
    return this.fileAt(filePath, levels);
  }

  private enters(dir: string, levels: IgnoreLevel[]): boolean {
    if (skippedFolders.has(path.basename(dir))) return false;
    if (this.options.otherRoots.includes(dir)) return false;
    return !this.excluded(this.relative(dir)) && !gitignored(levels, dir, true);
  }

  private fileAt(filePath: string, levels: IgnoreLevel[]): ListedFile | undefined {
    const lang = this.options.languageFor(filePath);
    if (!lang) return undefined;
    const relPath = this.relative(filePath);
    if (!this.included(relPath) || this.excluded(relPath) || gitignored(levels, filePath, false)) return undefined;
    if (this.options.isRuntime(filePath, lang)) return undefined;
    return { filePath, relPath, lang };
  }

  /** The ignore levels that apply inside `dir`: the outer ones, its .gitignore, and at the root .git/info/exclude. */
  private async levelsIn(dir: string, outer: IgnoreLevel[], mayHaveGitignore: boolean): Promise<IgnoreLevel[]> {
    const levels = [...outer];
    const files: string[] = [];
    if (dir === this.root) files.push(path.join(dir, '.git', 'info', 'exclude'));
    if (mayHaveGitignore) files.push(path.join(dir, '.gitignore'));
    for (const file of files) {
      const rules = await this.rules(file);
      if (rules) levels.push({ dir, rules });
    }
    return levels;
  }

  private rules(file: string): Promise<Ignore | undefined> {
    let rules = this.ignoreFiles.get(file);
    if (!rules) this.ignoreFiles.set(file, (rules = readRules(file)));
    return rules;
  }

  private relative(filePath: string): string {
    return toPosix(path.relative(this.root, filePath));
  }
}

/** Git's reading: the innermost level that has a say wins, and a negation re-includes. */
function gitignored(levels: readonly IgnoreLevel[], fullPath: string, isDir: boolean): boolean {
  let ignored = false;
  for (const { dir, rules } of levels) {
    const result = rules.test(toPosix(path.relative(dir, fullPath)) + (isDir ? '/' : ''));
    if (result.ignored) ignored = true;
    else if (result.unignored) ignored = false;
  }
  return ignored;
}

async function readRules(file: string): Promise<Ignore | undefined> {
  try {
    return ignore().add(await fs.promises.readFile(file, 'utf8'));
  } catch {
    return undefined;
  }
}

async function isFile(filePath: string): Promise<boolean> {
  try {
    return (await fs.promises.stat(filePath)).isFile();
  } catch {
    return false;
  }
}
