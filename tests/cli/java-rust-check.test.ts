// `check` covers Java and Rust like the template languages: it lists their functions without
// probes, counts the hand-instrumented fixtures as covered, and never checks the runtime files.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CheckReport } from '../../protocol/coverage.js';
import { cli, makeProject, removeProject, repoRoot } from './helpers.js';

let project: string;
beforeEach(() => {
  project = makeProject(['java', 'rust']);
  // The runtimes where a user puts them: _tm/Telemetry.java under a source root, telemetry_runtime.rs beside main.rs.
  fs.mkdirSync(path.join(project, 'java/_tm'));
  fs.copyFileSync(path.join(repoRoot, 'server/languages/java/runtime/Telemetry.java'), path.join(project, 'java/_tm/Telemetry.java'));
  fs.copyFileSync(path.join(repoRoot, 'server/languages/rust/runtime/telemetry_runtime.rs'), path.join(project, 'rust/telemetry_runtime.rs'));
});
afterEach(() => removeProject(project));

describe('telemetry-injector check on Java and Rust', () => {
  it('lists each Java and Rust function without telemetry as path:line:col on its name, and exits 1', async () => {
    const run = await cli(['check', '.'], { cwd: project });
    expect(run.code).toBe(1);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toContain('java/Calc.java:18:16: missing-telemetry `Calc.add` lacks telemetry');
    expect(lines).toContain('rust/main.rs:21:4: missing-telemetry `parse_sum` lacks telemetry');
    expect(run.stdout).not.toContain('`Calc.square`');
    expect(run.stdout).not.toContain('`square`');
  });

  it('counts the instrumented fixtures as covered and leaves the runtime files out', async () => {
    const run = await cli(['check', '.', '--format', 'json'], { cwd: project });
    const report = JSON.parse(run.stdout) as CheckReport;
    expect(report.files.map((f) => [f.path, f.language]).sort()).toEqual([
      ['java/Calc.java', 'java'],
      ['java/instrumented/Calc.java', 'java'],
      ['rust/instrumented/main.rs', 'rust'],
      ['rust/main.rs', 'rust'],
    ]);
    for (const file of report.files) {
      const probed = file.functions.filter((f) => !f.ignored).map((f) => [f.name, f.instrumented, f.missing]);
      const covered = file.path.includes('instrumented/');
      expect(probed.length, file.path).toBeGreaterThanOrEqual(6);
      expect(probed, file.path).toEqual(probed.map(([name]) => [name, covered, covered ? [] : ['function']]));
      if (covered) expect(file.coverage, file.path).toBe(100);
    }
  });

  it('reports each function as needing the LLM when asked to inject without a provider, and changes nothing', async () => {
    const before = fs.readFileSync(path.join(project, 'java/Calc.java'), 'utf8');
    const run = await cli(['inject', 'java/Calc.java', 'rust/main.rs'], { cwd: project });
    expect(run.stdout).toContain('skipped: needs the LLM (no templates for java), which is not configured');
    expect(run.stdout).toContain('skipped: needs the LLM (no templates for rust), which is not configured');
    expect(fs.readFileSync(path.join(project, 'java/Calc.java'), 'utf8')).toBe(before);
  });
});
