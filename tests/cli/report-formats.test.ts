import fs from 'node:fs';
import path from 'node:path';
import { Ajv as Ajv07 } from 'ajv';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../protocol/coverage.js';
import { cli, makeProject, removeProject } from './helpers.js';

interface SarifResult {
  ruleId: string;
  message: { text: string };
  locations: { physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: Record<string, number> } }[];
  partialFingerprints: Record<string, string>;
  properties: { functionId: string; lacks: string[]; require: string[] };
}

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; helpUri: string; help: { text: string } }[] } };
    originalUriBaseIds: Record<string, { uri: string }>;
    results: SarifResult[];
  }[];
}

// Both packages are CommonJS whose module.exports also carries itself as `default`.
const AjvDraft04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

const sarifSchema = JSON.parse(fs.readFileSync(path.join(import.meta.dirname, 'schemas/sarif-schema-2.1.0.json'), 'utf8')) as object;

/** GitLab's documented code quality issue (see schemas/README.md). */
const gitlabSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['description', 'check_name', 'fingerprint', 'severity', 'location'],
    properties: {
      description: { type: 'string', minLength: 1 },
      check_name: { type: 'string', minLength: 1 },
      fingerprint: { type: 'string', minLength: 1 },
      severity: { enum: ['info', 'minor', 'major', 'critical', 'blocker'] },
      location: {
        type: 'object',
        required: ['path', 'lines'],
        properties: {
          path: { type: 'string', pattern: '^[^/]' },
          lines: { type: 'object', required: ['begin'], properties: { begin: { type: 'integer', minimum: 1 } } },
        },
      },
    },
  },
};

let project: string;
let json: CheckReport;
let missing: CheckReport['files'][number]['functions'];
beforeAll(async () => {
  project = makeProject();
  json = JSON.parse((await cli(['check', '.', '--format', 'json'], { cwd: project })).stdout) as CheckReport;
  missing = json.files.flatMap((f) => f.functions.filter((fn) => fn.missing.length > 0 && !fn.ignored && !fn.skip && !fn.broken));
}, 60_000);
afterAll(() => removeProject(project));

describe('check --format sarif', () => {
  let log: SarifLog;
  let code: number | null;
  beforeAll(async () => {
    const run = await cli(['check', '.', '--format', 'sarif'], { cwd: project });
    code = run.code;
    log = JSON.parse(run.stdout) as SarifLog;
  });

  it('writes a log that validates against the SARIF 2.1.0 schema', () => {
    const ajv = new AjvDraft04({ allErrors: true, strict: false });
    addFormats(ajv);
    const validate = ajv.compile(sarifSchema);
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    expect(log.version).toBe('2.1.0');
    // The schema does reject a log that breaks it: a level SARIF does not have.
    const broken = structuredClone(log) as unknown as { runs: { results: { level: string }[] }[] };
    broken.runs[0]!.results[0]!.level = 'fatal';
    expect(validate(broken)).toBe(false);
    expect(code).toBe(1);
  });

  it('describes the missing-telemetry rule with its help text and link', () => {
    const [rule] = log.runs[0]!.tool.driver.rules;
    expect(rule).toMatchObject({ id: 'missing-telemetry', helpUri: expect.stringMatching(/#missing-telemetry$/) });
    expect(rule!.help.text).toContain('telemetry: ignore');
  });

  it('has one result per function lacking telemetry, on its name, with the kinds it lacks', () => {
    const { results } = log.runs[0]!;
    expect(results).toHaveLength(missing.length);
    expect(missing.length).toBeGreaterThan(10);
    const parse = results.find((r) => r.properties.functionId === 'python/functions.py::parse::function_definition')!;
    expect(parse).toMatchObject({
      ruleId: 'missing-telemetry',
      message: { text: '`parse` lacks telemetry' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'python/functions.py', uriBaseId: '%SRCROOT%' },
            region: { startLine: 14, startColumn: 5, endLine: 14, endColumn: 10 },
          },
        },
      ],
      partialFingerprints: { 'telemetryFunctionId/v1': 'python/functions.py::parse::function_definition' },
      properties: { lacks: ['function'], require: ['function', 'variable', 'branch', 'loop', 'exception'] },
    });
    const byId = new Map(missing.map((fn) => [fn.id, fn]));
    for (const result of results) expect(result.properties.lacks).toEqual(byId.get(result.properties.functionId)!.missing);
    expect(log.runs[0]!.originalUriBaseIds['%SRCROOT%']!.uri).toBe(`file://${project}/`);
  });
});

describe('check --format gitlab', () => {
  it('writes the documented code quality report, one issue per function lacking telemetry, with unique fingerprints', async () => {
    const run = await cli(['check', '.', '--format', 'gitlab'], { cwd: project });
    expect(run.code).toBe(1);
    const issues = JSON.parse(run.stdout) as { fingerprint: string; location: { path: string; lines: { begin: number } }; description: string }[];
    const ajv = new Ajv07({ allErrors: true });
    const validate = ajv.compile(gitlabSchema);
    expect(validate(issues), ajv.errorsText(validate.errors)).toBe(true);
    expect(issues).toHaveLength(missing.length);
    expect(new Set(issues.map((i) => i.fingerprint)).size).toBe(issues.length);
    expect(issues).toContainEqual(
      expect.objectContaining({ description: '`parse` lacks telemetry', check_name: 'missing-telemetry', severity: 'minor', location: { path: 'python/functions.py', lines: { begin: 14 } } }),
    );
  });

  it('refuses a format it does not know', async () => {
    const run = await cli(['check', '.', '--format', 'xml'], { cwd: project });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--format is text, json, sarif, gitlab, not "xml"');
  });
});
