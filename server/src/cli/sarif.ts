// Owns `check --format sarif`: a SARIF 2.1.0 log with one run, the rule `missing-telemetry` (its
// help text and link), and one result per function lacking telemetry, on the function's name, with
// the kinds it lacks in its properties and its function id as a partial fingerprint, so that code
// scanning follows a finding across edits above it. Paths are relative to the root (%SRCROOT%).
// Must never list a function that does not fail the run (baselined ones are left out).
import { MissingTelemetryCode, MissingTelemetryHref } from '../../../protocol/code-actions.js';
import type { CoverageCounts } from '../../../protocol/coverage.js';
import { lackMessage } from '../config/coverage-rule.js';
import { reportState, type FileReport } from './coverage.js';

export interface SarifOptions {
  version: string;
  /** The root folder as a `file:` URL ending in `/`: what relative paths are relative to. */
  rootUri: string;
  /** Per report (same order): the artifact's URI, relative to the root or absolute. */
  uris: readonly { uri: string; relative: boolean }[];
  total: CoverageCounts;
  changedSince?: string;
}

const help = [
  'A function that lacks a probe kind its team file (telemetry.toml) requires: an entry and exit probe',
  '(`function`), or the deep kinds `variable`, `branch`, `loop`, `exception` where it has such sites.',
  'Fix it with `telemetry-injector inject <file>` or the editor\'s "Add telemetry" action, or suppress it',
  'with a `telemetry: ignore` comment on the line above the function.',
].join(' ');

export function toSarif(reports: readonly FileReport[], options: SarifOptions): string {
  const results = reports.flatMap((report, i) => {
    const { uri, relative } = options.uris[i]!;
    const artifactLocation = relative ? { uri, uriBaseId: '%SRCROOT%' } : { uri };
    return report.functions
      .filter((f) => reportState(f) === 'missing' && !f.baselined)
      .map((f) => ({
        ruleId: MissingTelemetryCode,
        ruleIndex: 0,
        level: 'warning',
        message: { text: lackMessage(f.name, f.missing) },
        locations: [
          {
            physicalLocation: {
              artifactLocation,
              region: { startLine: f.line, startColumn: f.column, endLine: f.endLine, endColumn: f.endColumn },
            },
            logicalLocations: [{ name: f.name, fullyQualifiedName: f.name, kind: 'function' }],
          },
        ],
        partialFingerprints: { 'telemetryFunctionId/v1': f.id },
        properties: { functionId: f.id, lacks: f.missing, require: report.require },
      }));
  });
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'telemetry-injector',
            version: options.version,
            informationUri: MissingTelemetryHref.replace(/#.*$/, ''),
            rules: [
              {
                id: MissingTelemetryCode,
                name: 'MissingTelemetry',
                shortDescription: { text: 'Function lacks required telemetry' },
                fullDescription: { text: help },
                help: { text: help, markdown: `${help}\n\n[More about missing-telemetry](${MissingTelemetryHref})` },
                helpUri: MissingTelemetryHref,
                defaultConfiguration: { level: 'warning' },
              },
            ],
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { uri: options.rootUri } },
        columnKind: 'utf16CodeUnits',
        results,
        properties: { coverage: options.total, ...(options.changedSince !== undefined && { changedSince: options.changedSince }) },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
