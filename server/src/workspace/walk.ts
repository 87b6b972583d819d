// Owns listing the files under a folder: depth first, sorted by name, never entering folders that
// hold dependencies, build output or version control, nor following symbolic links to folders
// (so a link cycle cannot loop). Must never read file contents.
import fs from 'node:fs';
import path from 'node:path';

/** Folders never entered, at any depth (the default exclude globs only match at the root). */
export const skippedFolders: ReadonlySet<string> = new Set(['node_modules', '.git', 'dist', 'vendor']);

export interface WalkHooks {
  /** Whether to yield this file (a regular file, or a link to one). */
  accept(filePath: string): boolean;
  /** A folder that could not be listed; the walk goes on. */
  unreadable(dirPath: string, error: unknown): void;
}

export function* walkFiles(dir: string, hooks: WalkHooks): Generator<string> {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    hooks.unreadable(dir, error);
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (!skippedFolders.has(entry.name)) yield* walkFiles(full, hooks);
    } else if (entry.isFile() || (entry.isSymbolicLink() && isFile(full))) {
      if (hooks.accept(full)) yield full;
    }
  }
}

function isFile(filePath: string): boolean {
  return fs.statSync(filePath, { throwIfNoEntry: false })?.isFile() ?? false;
}
