// Owns where a document sits: its workspace folder, its workspace-relative path, and whether the
// settings let the server look at it (include/exclude globs, size, NUL bytes).
// Must never read the file system: the text comes from the client.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import type { TelemetrySettings } from '../../../protocol/settings.js';

export interface DocumentPlace {
  filePath: string;
  /** The workspace folder holding the file, or the file's own folder when none does. */
  root: string;
  /** Relative to `root`, with `/` separators. */
  relPath: string;
}

export class Workspace {
  /** Compiled include/exclude globs, per settings object (settings objects are cached per document). */
  private readonly matchers = new WeakMap<TelemetrySettings, (relPath: string) => boolean>();

  constructor(private readonly folders: readonly string[]) {}

  static fromUris(uris: readonly string[]): Workspace {
    return new Workspace(uris.filter((uri) => uri.startsWith('file:')).map((uri) => fileURLToPath(uri)));
  }

  /** Undefined for documents that are not files (untitled buffers and the like). */
  place(uri: string): DocumentPlace | undefined {
    if (!uri.startsWith('file:')) return undefined;
    const filePath = fileURLToPath(uri);
    const holders = this.folders.filter((folder) => isInside(filePath, folder));
    const root = holders.sort((a, b) => b.length - a.length)[0] ?? path.dirname(filePath);
    return { filePath, root, relPath: path.relative(root, filePath).split(path.sep).join('/') };
  }

  /** Why the document must be left alone, or undefined when it may be checked. */
  skipReason(place: DocumentPlace, text: string, settings: TelemetrySettings): string | undefined {
    if (!settings.enable) return 'telemetry.enable is false';
    if (!this.matcher(settings)(place.relPath)) return 'excluded by telemetry.include/exclude';
    if (Buffer.byteLength(text, 'utf8') > settings.maxFileSize) {
      return `it is larger than telemetry.maxFileSize (${settings.maxFileSize} bytes)`;
    }
    if (text.includes('\0')) return 'it contains NUL bytes';
    return undefined;
  }

  private matcher(settings: TelemetrySettings): (relPath: string) => boolean {
    let matcher = this.matchers.get(settings);
    if (!matcher) {
      const options = { dot: true };
      const included = picomatch(settings.include, options);
      const excluded = settings.exclude.length > 0 ? picomatch(settings.exclude, options) : () => false;
      matcher = (relPath) => included(relPath) && !excluded(relPath);
      this.matchers.set(settings, matcher);
    }
    return matcher;
  }
}

function isInside(filePath: string, folder: string): boolean {
  const relative = path.relative(folder, filePath);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
