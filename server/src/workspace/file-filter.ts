// Owns which files telemetry-injector looks at: where a file sits relative to its root, the
// include/exclude globs (picomatch, root-relative, `/` separators), the size limit and the NUL-byte
// test for binary content. Shared by the language server and the CLI.
// Must never read or write the file system: callers pass paths, sizes and contents.
import path from 'node:path';
import picomatch from 'picomatch';

export interface FilePlace {
  filePath: string;
  /** The folder the file is judged from (workspace folder or CLI root). */
  root: string;
  /** Relative to `root`, with `/` separators. */
  relPath: string;
}

/** How the user names each limit, for messages: settings keys in an editor, flags on the command line. */
export interface LimitNames {
  globs: string;
  maxFileSize: string;
}

export interface FileLimits {
  include: readonly string[];
  exclude: readonly string[];
  maxFileSize: number;
}

/** The innermost of `roots` holding `filePath`, or the file's own folder when none does. */
export function placeFile(filePath: string, roots: readonly string[]): FilePlace {
  const holders = roots.filter((root) => isInside(filePath, root));
  const root = holders.sort((a, b) => b.length - a.length)[0] ?? path.dirname(filePath);
  return { filePath, root, relPath: toPosix(path.relative(root, filePath)) };
}

/** A predicate over root-relative paths: included and not excluded (exclude wins). */
export function globFilter(limits: Pick<FileLimits, 'include' | 'exclude'>): (relPath: string) => boolean {
  const options = { dot: true };
  const included = picomatch([...limits.include], options);
  const excluded = limits.exclude.length > 0 ? picomatch([...limits.exclude], options) : () => false;
  return (relPath) => included(relPath) && !excluded(relPath);
}

/** Why a file of `bytes` UTF-8 bytes must be skipped for its size, or undefined. */
export function sizeSkipReason(bytes: number, maxFileSize: number, names: LimitNames): string | undefined {
  return bytes > maxFileSize ? `it is larger than ${names.maxFileSize} (${maxFileSize} bytes)` : undefined;
}

/** Why some content (text from an editor, or bytes from disk) must be skipped, or undefined. */
export function contentSkipReason(content: string | Uint8Array, maxFileSize: number, names: LimitNames): string | undefined {
  const bytes = typeof content === 'string' ? Buffer.byteLength(content, 'utf8') : content.byteLength;
  const size = sizeSkipReason(bytes, maxFileSize, names);
  if (size) return size;
  const binary = typeof content === 'string' ? content.includes('\0') : content.includes(0);
  if (binary) return 'it contains NUL bytes';
  return undefined;
}

/** Whether `filePath` lies strictly inside `folder`. */
export function isInside(filePath: string, folder: string): boolean {
  const relative = path.relative(folder, filePath);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

export function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
