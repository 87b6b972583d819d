// Owns `check --format gitlab`: GitLab's code quality report (`artifacts:reports:codequality`), a
// JSON array with one issue per function lacking telemetry: description, check_name, a fingerprint
// derived from the function id (unique per function, unchanged by edits above it), severity, and
// location.path (relative to the root, which should be the repository's top) with lines.begin.
// Must never list a function that does not fail the run (baselined ones are left out).
import { createHash } from 'node:crypto';
import { MissingTelemetryCode } from '../../../protocol/code-actions.js';
import { lackMessage } from '../config/coverage-rule.js';
import { reportState, type FileReport } from './coverage.js';

/** `paths[i]` is report i's file relative to the root, `/`-separated. */
export function toGitlab(reports: readonly FileReport[], paths: readonly string[]): string {
  const issues = reports.flatMap((report, i) =>
    report.functions
      .filter((f) => reportState(f) === 'missing' && !f.baselined)
      .map((f) => ({
        description: lackMessage(f.name, f.missing),
        check_name: MissingTelemetryCode,
        fingerprint: createHash('sha256').update(`${MissingTelemetryCode}\0${f.id}`).digest('hex'),
        severity: 'minor',
        location: { path: paths[i]!, lines: { begin: f.line } },
      })),
  );
  return `${JSON.stringify(issues, null, 2)}\n`;
}
