// Owns the team file on the command line: for each source file, the nearest telemetry.toml (or
// .telemetry.toml, or pyproject.toml with [tool.telemetry]) above it, or the one --config names,
// and what that file requires. The CLI reads no editor settings: the team file is what CI enforces.
// A bad team file stops the command before any source is read: `path:line:col: message` on
// stderr for each problem, and exit code 2.
// Must never print to stdout.
import path from 'node:path';
import { resolveRequirements, type FileRequirements } from '../config/requirements.js';
import { formatProblem, loadTeamFile, TeamFiles, type TeamFile } from '../config/team-file.js';
import type { Reporter } from './reporter.js';
import { displayPath, type SourceFile } from './sources.js';

export const configOption = { config: { type: 'string' } } as const;

export const configFlag = [
  '--config FILE',
  'the team file for every file (telemetry.toml, or pyproject.toml with [tool.telemetry]); default: the nearest one above each file',
] as const;

export interface TeamRequirements {
  requirements: FileRequirements;
  /** The team file that applied, as shown to the user; undefined when there was none. */
  teamFile?: string;
}

/** Each file's requirements, or undefined (problems reported) when a team file is bad. */
export async function teamRequirements(
  files: readonly SourceFile[],
  config: string | undefined,
  cwd: string,
  reporter: Reporter,
): Promise<Map<SourceFile, TeamRequirements> | undefined> {
  const named = config === undefined ? undefined : await loadTeamFile(path.resolve(cwd, config));
  const teamFiles = new TeamFiles();
  const found = new Map<SourceFile, TeamFile | undefined>();
  for (const file of files) found.set(file, named ?? (await teamFiles.forFile(file.filePath)));
  const bad = new Map<string, TeamFile>();
  for (const team of found.values()) if (team?.problems) bad.set(team.file, team);
  if (bad.size > 0) {
    for (const team of bad.values()) {
      for (const problem of team.problems!) reporter.error(formatProblem(problem, displayPath(cwd, problem.file)));
    }
    reporter.note('fix the team file, or name another one with --config');
    return undefined;
  }
  const result = new Map<SourceFile, TeamRequirements>();
  for (const [file, team] of found) {
    const requirements = resolveRequirements([team?.layer], file.filePath, file.lang);
    result.set(file, { requirements, ...(team && { teamFile: displayPath(cwd, team.file) }) });
  }
  return result;
}
