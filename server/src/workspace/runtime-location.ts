// Owns where a language's runtime module lives on disk (<base>/<runtimePath>, Go in its package
// folder), which of its files are missing or cannot be written, and how a source file names it
// (Python module name, relative JS/TS specifier, Go import path from the nearest go.mod).
// Shared by the language server and the CLI. Must never show anything to a user (callers own
// messages) and must never overwrite an existing runtime file.
import fs from 'node:fs';
import path from 'node:path';
import type { EngineOptions, LanguageId } from '../engine/types.js';

/** A runtime template as the engine ships it: a path relative to the runtime folder, and its text. */
export interface RuntimeTemplate {
  fileName: string;
  content: string;
}

/** A runtime file placed on disk. */
export interface RuntimeFile {
  path: string;
  content: string;
}

export interface RuntimeRequest {
  lang: LanguageId;
  /** The folder `runtimePath` is relative to (a workspace folder, or the CLI's root). */
  base: string;
  runtimePath: string;
  /** The source file that will import the runtime. */
  filePath: string;
  /** Written into events. */
  relPath: string;
  /** The engine's templates for `lang`; the first is the module the probes import. */
  templates: readonly RuntimeTemplate[];
  /** How the user sets the runtime path, for messages: `telemetry.runtimePath`, `--runtime-path`. */
  settingName: string;
}

export interface RuntimeLocation {
  /** `<base>/<runtimePath>`: must be an existing folder. */
  dir: string;
  /** Every runtime file at its place; the first is the imported module. */
  files: RuntimeFile[];
  options: EngineOptions;
}

/** `none`: probes name the runtime by a fixed path and need no import (Java's `_tm.Telemetry`, Rust's `crate::telemetry_runtime`). */
type ImportStyle = 'module-name' | 'relative-specifier' | 'go-package' | 'none';

// How a probe names the runtime. The engine could own this per language (a field of LanguageSpec).
const importStyles: Record<LanguageId, ImportStyle> = {
  python: 'module-name',
  javascript: 'relative-specifier',
  typescript: 'relative-specifier',
  tsx: 'relative-specifier',
  go: 'go-package',
  java: 'none',
  rust: 'none',
};

/**
 * How a file imports its runtime when the runtime lies beside it, as a compile check lays them out
 * (Go: its package folder beside the file, in a module of any name).
 */
export function besideImport(lang: LanguageId, runtimeFiles: readonly string[], runtimeSubdir?: string): string {
  const main = runtimeFiles[0] ?? '';
  const style = importStyles[lang];
  return style === 'go-package' ? `telemetry.check/${runtimeSubdir ?? path.parse(main).name}` : style === 'none' ? '' : importSpecifier(style, main, main) as string;
}

/** The runtime's place and the engine options for one source file, or why there can be none. */
export function locateRuntime(request: RuntimeRequest): RuntimeLocation | { error: string } {
  const dir = path.resolve(request.base, request.runtimePath);
  const files = request.templates.map((file) => ({ path: path.join(dir, file.fileName), content: file.content }));
  const main = files[0];
  if (!main) return { error: `the runtime module for ${request.lang} could not be read` };
  if (!isDirectory(dir)) return { error: `the runtime path ${dir} (${request.settingName}) is not an existing folder` };
  const runtimeImport = importSpecifier(importStyles[request.lang], request.filePath, main.path);
  if (typeof runtimeImport !== 'string') return runtimeImport;
  return { dir, files, options: { relPath: request.relPath, runtimeImport, esm: esmByExtension(request.filePath) } };
}

/** Runtime files absent from disk, or why they cannot be created (the folder is not writable). */
export function missingRuntimeFiles(location: Pick<RuntimeLocation, 'dir' | 'files'>, settingName: string): { missing: RuntimeFile[] } | { error: string } {
  const missing = location.files.filter((file) => !fs.existsSync(file.path));
  if (missing.length === 0) return { missing };
  const packageDir = path.dirname(location.files[0]!.path);
  const existing = isDirectory(packageDir) ? packageDir : location.dir;
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return { missing };
  } catch {
    return { error: `the runtime path ${existing} (${settingName}) is not writable` };
  }
}

/** Creates each file with its folder; throws on the first failure, and when a file already exists. */
export function writeRuntimeFiles(files: readonly RuntimeFile[]): void {
  for (const file of files) {
    fs.mkdirSync(path.dirname(file.path), { recursive: true });
    fs.writeFileSync(file.path, file.content, { flag: 'wx' });
  }
}

/**
 * Whether `filePath` is a copy of the runtime itself (`telemetry_runtime.py`, `telemetry/ids.go`):
 * such a file is never checked or instrumented, or the probes would call themselves.
 */
export function isRuntimeFile(filePath: string, templates: readonly RuntimeTemplate[]): boolean {
  const posix = toPosix(filePath);
  return templates.some((template) => posix === template.fileName || posix.endsWith(`/${template.fileName}`));
}

/** The nearest go.mod at or above `from`'s folder: its folder and module path. */
export function goModuleOf(from: string): { dir: string; modulePath: string } | { error: string } {
  for (let dir = path.dirname(from); ; dir = path.dirname(dir)) {
    const goMod = path.join(dir, 'go.mod');
    if (fs.existsSync(goMod)) {
      const modulePath = /^module\s+"?([^\s"]+)"?/m.exec(fs.readFileSync(goMod, 'utf8'))?.[1];
      return modulePath ? { dir, modulePath } : { error: `${goMod} has no module line` };
    }
    if (path.dirname(dir) === dir) return { error: `no go.mod above ${from}` };
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
    case 'none':
      return '';
  }
}

/** Module path of the nearest go.mod above `from`, joined with the package folder. */
function goImportPath(from: string, packageDir: string): string | { error: string } {
  const module = goModuleOf(from);
  if ('error' in module) return module;
  const inside = toPosix(path.relative(module.dir, packageDir));
  if (inside.startsWith('..')) return { error: `the runtime folder ${packageDir} is outside the Go module at ${module.dir}` };
  return inside === '' ? module.modulePath : `${module.modulePath}/${inside}`;
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
