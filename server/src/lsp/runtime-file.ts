// Owns the runtime module as seen from one document in an editor: where it goes and what is missing
// (the rules live in ../workspace/runtime-location.ts, shared with the CLI), writing it to disk when
// the client cannot create files, and showing each distinct error (missing or unwritable folder, no
// go.mod) once until the settings change.
// Must never overwrite an existing runtime file, and must never let an edit through without a runtime.
import type { Engine } from '../engine/engine.js';
import type { EngineOptions, LanguageId } from '../engine/types.js';
import {
  locateRuntime,
  missingRuntimeFiles,
  writeRuntimeFiles,
  type RuntimeFile,
  type RuntimeTemplate,
} from '../workspace/runtime-location.js';
import type { Snapshot } from './analyzer.js';
import type { Logger } from './logger.js';

export type { RuntimeFile } from '../workspace/runtime-location.js';

export interface RuntimeSetup {
  options: EngineOptions;
  /** Runtime files absent from disk: the edit must create them. */
  missing: RuntimeFile[];
}

const settingName = 'telemetry.runtimePath';

export class RuntimeFiles {
  /** Errors already shown, so that listing code actions does not repeat a popup on every cursor move. */
  private readonly shown = new Set<string>();
  /** The engine's runtime templates, read once per language: they do not change while the server runs. */
  private readonly templates = new Map<LanguageId, RuntimeTemplate[]>();

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {}

  /** The engine options for `snap`, and what to create; or a reason the runtime cannot be provided. */
  prepare(snap: Snapshot): RuntimeSetup | { error: string } {
    const location = locateRuntime({
      lang: snap.lang,
      base: snap.root,
      runtimePath: snap.settings.runtimePath,
      filePath: snap.filePath,
      relPath: snap.relPath,
      templates: this.runtimeFiles(snap.lang),
      settingName,
    });
    if ('error' in location) return this.fail(location.error);
    const missing = missingRuntimeFiles(location, settingName);
    if ('error' in missing) return this.fail(missing.error);
    return { options: location.options, missing: missing.missing };
  }

  /** Writes files the client cannot create itself; false (and an error shown) when that fails. */
  write(files: RuntimeFile[]): boolean {
    try {
      writeRuntimeFiles(files);
    } catch (error) {
      this.fail(`could not write the telemetry runtime: ${String(error)}`);
      return false;
    }
    this.logger.show('info', `created the runtime module ${files.map((file) => file.path).join(', ')}`);
    return true;
  }

  private runtimeFiles(lang: LanguageId): RuntimeTemplate[] {
    let files = this.templates.get(lang);
    if (!files) {
      try {
        files = this.engine.runtimeFiles(lang);
        this.templates.set(lang, files);
      } catch (error) {
        this.logger.error(`reading the ${lang} runtime module failed: ${String(error)}`);
        return [];
      }
    }
    return files;
  }

  /** Settings changed: errors may be shown again. */
  reset(): void {
    this.shown.clear();
  }

  private fail(error: string): { error: string } {
    if (!this.shown.has(error)) {
      this.shown.add(error);
      this.logger.show('error', `${error}. No telemetry was added.`);
    }
    return { error };
  }
}
