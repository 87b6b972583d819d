// Owns the runtime module as seen from one document: where it lives (<root>/<runtimePath>), which
// files are missing, the import specifier the probes use, and writing it to disk when the client
// cannot create files. Each distinct error (missing or unwritable folder, no go.mod) is shown once
// until the settings change.
// Must never overwrite an existing runtime file, and must never let an edit through without a runtime.
import fs from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import type { EngineOptions, LanguageId } from '../engine/types.js';
import type { Snapshot } from './analyzer.js';
import type { Logger } from './logger.js';

export interface RuntimeFile {
  path: string;
  content: string;
}

export interface RuntimeSetup {
  options: EngineOptions;
  /** Runtime files absent from disk: the edit must create them. */
  missing: RuntimeFile[];
}

type ImportStyle = 'module-name' | 'relative-specifier' | 'go-package';

// How a probe names the runtime. The engine could own this per language (see the final report).
const importStyles: Record<LanguageId, ImportStyle> = {
  python: 'module-name',
  javascript: 'relative-specifier',
  typescript: 'relative-specifier',
  tsx: 'relative-specifier',
  go: 'go-package',
};

export class RuntimeFiles {
  /** Errors already shown, so that listing code actions does not repeat a popup on every cursor move. */
  private readonly shown = new Set<string>();
  /** The engine's runtime templates, read once per language: they do not change while the server runs. */
  private readonly templates = new Map<LanguageId, { fileName: string; content: string }[]>();

  constructor(
    private readonly engine: Engine,
    private readonly logger: Logger,
  ) {}

  /** The engine options for `snap`, and what to create; or a reason the runtime cannot be provided. */
  prepare(snap: Snapshot): RuntimeSetup | { error: string } {
    const runtimeDir = path.resolve(snap.root, snap.settings.runtimePath);
    // The first file is the module the probes import; the others (type declarations) sit beside it.
    const files = this.runtimeFiles(snap.lang).map((file) => ({
      path: path.join(runtimeDir, file.fileName),
      content: file.content,
    }));
    const main = files[0];
    if (!main) return this.fail(`the runtime module for ${snap.lang} could not be read`);
    const missing = files.filter((file) => !fs.existsSync(file.path));
    const problem = missing.length > 0 ? unwritable(runtimeDir, path.dirname(main.path)) : undefined;
    if (problem) return this.fail(problem);
    const runtimeImport = importSpecifier(importStyles[snap.lang], snap.filePath, main.path);
    if (typeof runtimeImport !== 'string') return this.fail(runtimeImport.error);
    return { options: { relPath: snap.relPath, runtimeImport, esm: esmByExtension(snap.filePath) }, missing };
  }

  /** Writes files the client cannot create itself; false (and an error shown) when that fails. */
  write(files: RuntimeFile[]): boolean {
    try {
      for (const file of files) {
        fs.mkdirSync(path.dirname(file.path), { recursive: true });
        fs.writeFileSync(file.path, file.content, { flag: 'wx' });
      }
    } catch (error) {
      this.fail(`could not write the telemetry runtime: ${String(error)}`);
      return false;
    }
    this.logger.show('info', `created the runtime module ${files.map((file) => file.path).join(', ')}`);
    return true;
  }

  private runtimeFiles(lang: LanguageId): { fileName: string; content: string }[] {
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

/** Why files cannot be created in `dir` (inside `runtimeDir`), or undefined when they can. */
function unwritable(runtimeDir: string, dir: string): string | undefined {
  if (!isDirectory(runtimeDir)) return `the runtime path ${runtimeDir} (telemetry.runtimePath) is not an existing folder`;
  const existing = isDirectory(dir) ? dir : runtimeDir;
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return undefined;
  } catch {
    return `the runtime path ${existing} (telemetry.runtimePath) is not writable`;
  }
}

function importSpecifier(style: ImportStyle, from: string, runtime: string): string | { error: string } {
  switch (style) {
    case 'module-name':
      return path.parse(runtime).name;
    case 'relative-specifier': {
      const relative = toPosix(path.relative(path.dirname(from), runtime));
      return relative.startsWith('../') ? relative : `./${relative}`;
    }
    case 'go-package':
      return goImportPath(from, path.dirname(runtime));
  }
}

/** Module path of the nearest go.mod above `from`, joined with the package folder. */
function goImportPath(from: string, packageDir: string): string | { error: string } {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const goMod = path.join(dir, 'go.mod');
    if (fs.existsSync(goMod)) {
      const modulePath = /^module\s+"?([^\s"]+)"?/m.exec(fs.readFileSync(goMod, 'utf8'))?.[1];
      const inside = toPosix(path.relative(dir, packageDir));
      if (!modulePath) return { error: `${goMod} has no module line` };
      if (inside.startsWith('..')) return { error: `the runtime folder ${packageDir} is outside the Go module at ${dir}` };
      return inside === '' ? modulePath : `${modulePath}/${inside}`;
    }
    if (path.dirname(dir) === dir) return { error: `no go.mod above ${from}` };
  }
}

/** .mjs/.mts are ES modules and .cjs/.cts CommonJS whatever they contain; otherwise the engine decides. */
function esmByExtension(filePath: string): boolean | undefined {
  const extension = path.extname(filePath);
  if (extension === '.mjs' || extension === '.mts') return true;
  if (extension === '.cjs' || extension === '.cts') return false;
  return undefined;
}

function isDirectory(dir: string): boolean {
  return fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory() ?? false;
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}
