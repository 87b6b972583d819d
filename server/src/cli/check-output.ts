// Owns how `check` prints its reports: text (one `path:line:col:` line per function that fails the
// run, then a summary), JSON (protocol/coverage.ts's CheckReport), SARIF 2.1.0 (sarif.ts) or a
// GitLab code quality report (gitlab.ts).
// Must never decide what is reported or the exit code: check.ts does.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckReport, CoverageCounts } from '../../../protocol/coverage.js';
import { lackMessage, percentText } from '../config/coverage-rule.js';
import { packageVersion } from '../paths.js';
import { UsageError } from './args.js';
import { reportState, type FileReport } from './coverage.js';
import { toGitlab } from './gitlab.js';
import { toSarif } from './sarif.js';
import type { SourceFile } from './sources.js';

export const checkFormats = ['text', 'json', 'sarif', 'gitlab'] as const;
export type CheckFormat = (typeof checkFormats)[number];

export function checkFormat(value: string | undefined): CheckFormat {
  if (value === undefined) return 'text';
  if ((checkFormats as readonly string[]).includes(value)) return value as CheckFormat;
  throw new UsageError(`--format is ${checkFormats.join(', ')}, not "${value}"`);
}

export interface CheckOutcome {
  /** Each report with the file it came from, in file order. */
  reports: readonly { file: SourceFile; report: FileReport }[];
  total: CoverageCounts;
  /** The root folder: SARIF and GitLab paths are relative to it. */
  root: string;
  changedSince?: string;
  baseline?: { file: string; new: number };
}

export function render(format: CheckFormat, outcome: CheckOutcome): string {
  const reports = outcome.reports.map(({ report }) => report);
  switch (format) {
    case 'text':
      return asText(outcome);
    case 'json': {
      const json: CheckReport = { files: reports, total: outcome.total };
      if (outcome.changedSince !== undefined) json.changedSince = outcome.changedSince;
      if (outcome.baseline) json.baseline = outcome.baseline;
      return `${JSON.stringify(json, null, 2)}\n`;
    }
    case 'sarif':
      return toSarif(reports, {
        version: packageVersion(),
        rootUri: pathToFileURL(outcome.root + path.sep).href,
        uris: outcome.reports.map(({ file }) => artifactUri(file, outcome.root)),
        total: outcome.total,
        ...(outcome.changedSince !== undefined && { changedSince: outcome.changedSince }),
      });
    case 'gitlab':
      return toGitlab(
        reports,
        outcome.reports.map(({ file }) => (file.root === outcome.root ? file.relPath : file.display)),
      );
  }
}

function asText({ reports, total, changedSince, baseline }: CheckOutcome): string {
  const lines: string[] = [];
  for (const { report } of reports) {
    for (const f of report.functions) {
      if (reportState(f) === 'missing' && !f.baselined) {
        lines.push(`${report.path}:${f.line}:${f.column}: missing-telemetry ${lackMessage(f.name, f.missing)}`);
      }
    }
  }
  const left = [total.skipped && `${total.skipped} skipped`, total.broken && `${total.broken} broken`].filter(Boolean);
  const notCounted = left.length > 0 ? ` (${left.join(', ')}: not counted)` : '';
  const scope = changedSince === undefined ? '' : `changed since ${changedSince}: `;
  lines.push(
    `${scope}${total.functions} functions, ${total.instrumented} instrumented, ${total.ignored} ignored, ` +
      `${percentText(total.coverage)} coverage${notCounted}`,
  );
  if (baseline) {
    const listed = total.missing - baseline.new;
    lines.push(`${baseline.new} lacking telemetry are new; ${listed} more are in the baseline ${baseline.file}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Relative to the root (percent-encoded) when the file is under it, else an absolute file URL. */
function artifactUri(file: SourceFile, root: string): { uri: string; relative: boolean } {
  if (file.root === root) return { uri: file.relPath.split('/').map(encodeURIComponent).join('/'), relative: true };
  return { uri: pathToFileURL(file.filePath).href, relative: false };
}
