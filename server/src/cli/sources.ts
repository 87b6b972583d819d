// Owns turning path arguments into source files: every bad path reported at once, folders listed
// by the workspace's file set (../workspace/file-set.ts, the language server's too), each file
// placed under its root, then read with the size, NUL-byte and UTF-8 checks. Also maps a file to
// its place under --out and formats paths for humans.
// Must never write files, and never print to stdout.
import fs from 'node:fs';
import path from 'node:path';
import { defaultSettings } from '../../../protocol/settings.js';
import type { LanguageId } from '../engine/types.js';
import { contentSkipReason, isInside, sizeSkipReason, toPosix, type LimitNames } from '../workspace/file-filter.js';
import { FileSet, type Languages } from '../workspace/file-set.js';
import type { RuntimeTemplate } from '../workspace/runtime-location.js';
import { UsageError } from './args.js';
import type { Reporter } from './reporter.js';

export interface SourceFile {
  filePath: string;
  lang: LanguageId;
  /** --root, or the path argument itself when it lies outside --root. */
  root: string;
  /** Relative to `root`, with `/` separators: written into events and kept under --out. */
  relPath: string;
  /** For messages: relative to the current folder when inside it. */
  display: string;
}

export interface SourceOptions {
  cwd: string;
  root: string;
  /** --no-ignore: .gitignore files and .git/info/exclude are not read. */
  noIgnore?: boolean;
}

const names: LimitNames = { globs: 'the exclude globs', maxFileSize: '--max-file-size' };

/** The root folder: --root or the current folder; a UsageError when it is not a folder. */
export function resolveRoot(cwd: string, root: string | undefined): string {
  const resolved = path.resolve(cwd, root ?? '.');
  if (!fs.statSync(resolved, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(`the root ${root} is not an existing folder`, false);
  }
  return resolved;
}

/**
 * Every supported file under `args`, deduplicated, in argument then walk order. A file named here
 * is taken whatever the ignore files and globs say; a folder named here is walked even when they
 * leave it out. Unreadable folders are reported once each, and the rest is still collected.
 */
export async function collectSources(
  args: readonly string[],
  languages: Languages,
  options: SourceOptions,
  reporter: Reporter,
): Promise<SourceFile[]> {
  const resolved = args.map((arg) => ({ arg, abs: path.resolve(options.cwd, arg) }));
  const bad = resolved.filter(({ abs }) => !fs.existsSync(abs));
  if (bad.length > 0) {
    throw new UsageError(bad.map(({ arg }) => `no such file or directory: ${arg}`).join('\n'), false);
  }
  const told = new Set<string>();
  const unreadable = (fullPath: string, error: unknown) => {
    if (told.has(fullPath)) return;
    told.add(fullPath);
    reporter.error(`cannot read ${displayPath(options.cwd, fullPath)}: ${message(error)}`);
  };
  const sets = new Map<string, FileSet>();
  const fileSet = (root: string) => {
    let set = sets.get(root);
    if (!set) {
      const { include, exclude } = defaultSettings;
      set = new FileSet({ root, include, exclude, useIgnoreFiles: !options.noIgnore, languages, unreadable });
      sets.set(root, set);
    }
    return set;
  };
  const seen = new Set<string>();
  const files: SourceFile[] = [];
  const add = (filePath: string, root: string, lang: LanguageId) => {
    if (seen.has(filePath)) return;
    seen.add(filePath);
    const relPath = toPosix(path.relative(root, filePath));
    files.push({ filePath, lang, root, relPath, display: displayPath(options.cwd, filePath) });
  };
  for (const { arg, abs } of resolved) {
    const isDir = fs.statSync(abs).isDirectory();
    const inRoot = abs === options.root || isInside(abs, options.root);
    const root = inRoot ? options.root : isDir ? abs : path.dirname(abs);
    if (isDir) {
      for (const file of await fileSet(root).list(abs)) add(file.filePath, root, file.lang);
      continue;
    }
    const taken = fileSet(root).named(abs);
    if ('skipped' in taken) reporter.note(`skipped ${arg}: ${taken.skipped}`);
    else add(abs, root, taken.lang);
  }
  return files;
}

/** The engine's runtime templates per language, read from disk once per language. */
export function runtimeTemplates(engine: Languages): (lang: LanguageId) => RuntimeTemplate[] {
  const templates = new Map<LanguageId, RuntimeTemplate[]>();
  return (lang) => {
    let files = templates.get(lang);
    if (!files) templates.set(lang, (files = engine.runtimeFiles(lang)));
    return files;
  };
}

/** A file's text, and the byte order mark it started with, kept out of the text as editors do. */
export interface SourceText {
  text: string;
  /** `\uFEFF` or empty: written back in front of the new text. */
  bom: string;
}

/** The file's text; undefined (with a note, or an error when unreadable) when it must be skipped. */
export function readSource(file: SourceFile, maxFileSize: number, reporter: Reporter): SourceText | undefined {
  try {
    const size = fs.statSync(file.filePath).size;
    const tooLarge = sizeSkipReason(size, maxFileSize, names);
    if (tooLarge) return skip(file, tooLarge, reporter);
    const bytes = fs.readFileSync(file.filePath);
    const binary = contentSkipReason(bytes, maxFileSize, names);
    if (binary) return skip(file, binary, reporter);
    let text: string;
    try {
      // Fatal decoding: a file that is not UTF-8 would not survive being written back.
      text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
    } catch {
      return skip(file, 'it is not valid UTF-8', reporter);
    }
    const bom = text.startsWith('\uFEFF') ? '\uFEFF' : '';
    return { text: text.slice(bom.length), bom };
  } catch (error) {
    reporter.error(`cannot read ${file.display}: ${message(error)}`);
    return undefined;
  }
}

/** Where a file's result goes: in place, or at the same relative path under --out. */
export function outputPath(file: { filePath: string; root: string }, out: string | undefined): string {
  return out === undefined ? file.filePath : path.join(out, path.relative(file.root, file.filePath));
}

export function displayPath(cwd: string, filePath: string): string {
  const relative = path.relative(cwd, filePath);
  return relative === '' || relative.startsWith('..') || path.isAbsolute(relative) ? filePath : toPosix(relative);
}

export function message(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && 'syscall' in error) {
    const { code } = error as { code: string };
    const known: Record<string, string> = { EACCES: 'permission denied', ENOENT: 'no such file or directory', EISDIR: 'is a folder' };
    return known[code] ?? code;
  }
  return error instanceof Error ? error.message : String(error);
}

function skip(file: SourceFile, reason: string, reporter: Reporter): undefined {
  reporter.note(`skipped ${file.display}: ${reason}`);
  return undefined;
}
