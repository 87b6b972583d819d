// Owns where a document sits for the language server: its workspace folder, its workspace-relative
// path, and whether the settings let the server look at it. The rules (globs, size, NUL bytes)
// live in ../workspace/file-filter.ts, shared with the CLI; this module maps editor URIs and
// settings onto them.
// Must never read the file system: the text comes from the client.
import { fileURLToPath } from 'node:url';
import type { TelemetrySettings } from '../../../protocol/settings.js';
import { contentSkipReason, globFilter, placeFile, type FilePlace, type LimitNames } from '../workspace/file-filter.js';

export type DocumentPlace = FilePlace;

const names: LimitNames = { globs: 'telemetry.include/exclude', maxFileSize: 'telemetry.maxFileSize' };

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
    return placeFile(fileURLToPath(uri), this.folders);
  }

  /** Why the document must be left alone, or undefined when it may be checked. */
  skipReason(place: DocumentPlace, text: string, settings: TelemetrySettings): string | undefined {
    if (!settings.enable) return 'telemetry.enable is false';
    if (!this.matcher(settings)(place.relPath)) return `excluded by ${names.globs}`;
    return contentSkipReason(text, settings.maxFileSize, names);
  }

  private matcher(settings: TelemetrySettings): (relPath: string) => boolean {
    let matcher = this.matchers.get(settings);
    if (!matcher) {
      matcher = globFilter(settings);
      this.matchers.set(settings, matcher);
    }
    return matcher;
  }
}
