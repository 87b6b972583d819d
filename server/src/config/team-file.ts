// Owns the team file: finding the nearest `telemetry.toml`, `.telemetry.toml` or pyproject.toml with
// a `[tool.telemetry]` table above a source file (Ruff's rule: the nearest one wins whole, a
// pyproject.toml without the table does not count), reading it with smol-toml, and checking it
// against protocol/team-file-schema.json. A bad file is an answer that says where and why, never
// an exception. Lookups are cached per folder until clear().
// Must never write files, and never decide what a file requires (requirements.ts does).
import fs from 'node:fs';
import path from 'node:path';
import { parse, TomlError } from 'smol-toml';
import { PyprojectTable, TeamFileNames, teamFileSchema, type TeamConfig } from '../../../protocol/team-file.js';
import type { ProbeKind } from '../engine/types.js';
import { RequirementLayer } from './requirements.js';
import { schemaCheck } from './schema-check.js';
import { locateKey, type KeyPath } from './toml-locate.js';

export interface TeamFileProblem {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  message: string;
}

/** A team file that was found: its requirements, or what is wrong with it (then it counts for nothing). */
export type TeamFile =
  | { file: string; dir: string; config: TeamConfig; layer: RequirementLayer; problems?: undefined }
  | { file: string; dir: string; problems: TeamFileProblem[]; config?: undefined; layer?: undefined };

const checkConfig = schemaCheck(teamFileSchema);

/** `path:line:col: message`, with the path as the caller shows it. */
export function formatProblem(problem: TeamFileProblem, display: string = problem.file): string {
  return `${display}:${problem.line}:${problem.column}: ${problem.message}`;
}

/**
 * The team file in `text`, read from `file`; undefined for a pyproject.toml without
 * `[tool.telemetry]` (unless `mustHaveTable`, when that is a problem).
 */
export function readTeamFile(file: string, text: string, mustHaveTable = false): TeamFile | undefined {
  const dir = path.dirname(file);
  const pyproject = path.basename(file) === 'pyproject.toml';
  // Another tool's broken pyproject.toml is not ours to complain about.
  if (pyproject && !mustHaveTable && !/telemetry/.test(text)) return undefined;
  const problem = (at: KeyPath, message: string): TeamFileProblem => ({ file, ...locateKey(text, at), message });
  let document: Record<string, unknown>;
  try {
    document = parse(text.replace(/^\uFEFF/, '')) as Record<string, unknown>;
  } catch (error) {
    const at = error instanceof TomlError ? { line: error.line, column: error.column } : { line: 1, column: 1 };
    const message = String((error as Error).message).split('\n')[0]!.replace(/^Invalid TOML document: /, '');
    return { file, dir, problems: [{ file, ...at, message: `invalid TOML: ${message}` }] };
  }
  const prefix: KeyPath = pyproject ? PyprojectTable : [];
  let table: unknown = document;
  for (const key of prefix) table = (table as Record<string, unknown> | undefined)?.[key as string];
  if (table === undefined) {
    return mustHaveTable ? { file, dir, problems: [problem([], 'has no [tool.telemetry] table')] } : undefined;
  }
  const problems = checkConfig(table).map((p) => problem([...prefix, ...p.path], p.message));
  const config = table as TeamConfig;
  if (problems.length === 0 && config.redact !== undefined) {
    try {
      new RegExp(config.redact, 'i');
    } catch (error) {
      problems.push(problem([...prefix, 'redact'], `\`redact\` is not a valid regular expression: ${(error as Error).message}`));
    }
  }
  if (problems.length > 0) return { file, dir, problems: problems.sort((a, b) => a.line - b.line || a.column - b.column) };
  return { file, dir, config, layer: layerOf(dir, config) };
}

function layerOf(dir: string, config: TeamConfig): RequirementLayer {
  return new RequirementLayer({ base: dir, require: config.require as ProbeKind[] | undefined, rules: config.rules, redact: config.redact });
}

/** Reads one named team file (the CLI's --config): a missing file or table is a problem. */
export async function loadTeamFile(file: string): Promise<TeamFile> {
  try {
    return readTeamFile(file, await fs.promises.readFile(file, 'utf8'), true)!;
  } catch (error) {
    return { file, dir: path.dirname(file), problems: [{ file, line: 1, column: 1, message: `cannot read it: ${reason(error)}` }] };
  }
}

/** The nearest team file above each file, cached per folder. */
export class TeamFiles {
  private readonly folders = new Map<string, Promise<TeamFile | undefined>>();

  /** The team file that applies to `filePath`, or undefined when there is none up to the root. */
  forFile(filePath: string): Promise<TeamFile | undefined> {
    return this.forFolder(path.dirname(filePath));
  }

  forFolder(dir: string): Promise<TeamFile | undefined> {
    let found = this.folders.get(dir);
    if (!found) {
      found = this.lookUp(dir);
      this.folders.set(dir, found);
    }
    return found;
  }

  /** Team files may have changed: every folder is looked at again. */
  clear(): void {
    this.folders.clear();
  }

  private async lookUp(dir: string): Promise<TeamFile | undefined> {
    const own = await this.readOwn(dir);
    if (own) return own;
    const parent = path.dirname(dir);
    return parent === dir ? undefined : this.forFolder(parent);
  }

  private async readOwn(dir: string): Promise<TeamFile | undefined> {
    for (const name of TeamFileNames) {
      const file = path.join(dir, name);
      let text: string;
      try {
        text = await fs.promises.readFile(file, 'utf8');
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'EISDIR') continue;
        return { file, dir, problems: [{ file, line: 1, column: 1, message: `cannot read it: ${reason(error)}` }] };
      }
      const team = readTeamFile(file, text);
      if (team) return team;
    }
    return undefined;
  }
}

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known: Record<string, string> = { EACCES: 'permission denied', ENOENT: 'no such file', EISDIR: 'it is a folder' };
  return (code && known[code]) ?? (error instanceof Error ? error.message : String(error));
}
