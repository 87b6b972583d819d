// The Emacs client (clients/emacs/telemetry-injector.el) in a real `emacs --batch` with Debian's
// `emacs-nox` and `elpa-eglot` (Eglot 1.9, push diagnostics): the conformance scenario and bad input
// as ert tests (tests/editors/emacs/conformance-test.el, bad-input-test.el). .ci/run installs both packages.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../protocol/lsp-client.js';
import { run } from '../runtime/helpers.js';
import { checkReport, conformanceDir, copyConformanceWorkspace, readReport } from './conformance/report.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/** A copy of the conformance workspace whose own node_modules/.bin has the server (never npx). */
function workspaceWithServer(prefix: string): string {
  if (spawnSync('emacs', ['--version']).status !== 0) throw new Error('emacs is missing: apt-get install emacs-nox elpa-eglot (bash .ci/run does it)');
  const workspace = copyConformanceWorkspace(prefix);
  scratch.push(workspace);
  fs.mkdirSync(path.join(workspace, 'node_modules/.bin'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'bin/telemetry-injector.js'), path.join(workspace, 'node_modules/.bin/telemetry-injector'));
  // Eglot takes the project from version control, so the workspace is a repository.
  expect(spawnSync('git', ['init', '-q', workspace]).status).toBe(0);
  return workspace;
}

/**
 * Runs one ert test file in `emacs --batch` with the client on the load path; fails with its output.
 * Not spawnSync: a scenario takes tens of seconds on a loaded machine, and a worker blocked that long
 * makes vitest's own calls to its main process time out ('Timeout calling onTaskUpdate').
 */
async function ert(testFile: string, env: Record<string, string>): Promise<void> {
  // Not -Q: Debian's site start-up puts the elpa-eglot package on the load path.
  const args = ['--batch', '-L', path.join(repoRoot, 'clients/emacs'), '-l', path.join(repoRoot, 'tests/editors/emacs', testFile), '-f', 'ert-run-tests-batch-and-exit'];
  const { code, stderr } = await run('emacs', args, { env: { ...process.env, ...env }, timeout: 120_000, killSignal: 'SIGKILL' });
  expect(code, stderr.split('\n').filter((line) => !line.startsWith('[eglot]')).slice(-40).join('\n')).toBe(0);
}

/** Longer than ert()'s own bound, so that a hung Emacs fails with its output rather than the test's timeout. */
const scenarioTimeout = { timeout: 150_000 };

it('passes the conformance scenario in Emacs with Eglot (push diagnostics)', scenarioTimeout, async () => {
  const workspace = workspaceWithServer('conformance-emacs-');
  const reportFile = path.join(workspace, 'conformance-report.json');
  await ert('conformance-test.el', {
    CONFORMANCE_WORKSPACE: workspace,
    CONFORMANCE_REPORT: reportFile,
    CONFORMANCE_GOLDEN_ADD: path.join(conformanceDir, 'golden/app.add-greet.py'),
    CONFORMANCE_GOLDEN_FIX_ALL: path.join(conformanceDir, 'golden/app.fix-all.py'),
  });
  const report = readReport(reportFile);
  expect(report.client).toMatch(/^emacs \d+\.\d+ eglot /);
  expect(checkReport(report, { diagnosticsMode: 'push' })).toEqual([]);
});

it('shows one message per bad server in Emacs and never restarts one by itself, and shows the server\'s warning about a setting of the wrong type once', scenarioTimeout, async () => {
  const workspace = workspaceWithServer('bad-input-emacs-');
  const resultFile = path.join(workspace, 'bad-input.json');
  await ert('bad-input-test.el', {
    CONFORMANCE_WORKSPACE: workspace,
    BROKEN_SERVERS: path.join(repoRoot, 'tests/editors/broken-servers'),
    BROKEN_SERVER_STARTS: path.join(workspace, 'starts.txt'),
    BAD_INPUT_REPORT: resultFile,
  });
  interface Failure {
    ours: string[];
    others: string[];
    starts: number;
    startsAfterRestart: number;
  }
  const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
    wrongType: { severities: number[]; shown: string[] };
    exitMidSession: Failure;
    crashOnStart: Failure;
    wrongPath: { ours: string[]; others: string[] };
  };
  // The default severity (warning) stays, and the warning comes once for two files.
  expect(result.wrongType.severities.every((severity) => severity === 2)).toBe(true);
  expect(result.wrongType.shown).toEqual([expect.stringContaining('"loud" does not match the schema')]);
  for (const failure of [result.exitMidSession, result.crashOnStart]) {
    expect(failure.ours).toEqual([expect.stringContaining('exited with code 1 and will not be restarted')]);
    expect(failure.ours[0]).toContain("Fix `telemetry-injector-server-command'");
    expect(failure.ours[0]).toContain('M-x telemetry-injector-restart');
    // Emacs's jsonrpc logs every server exit in the echo area; Eglot says nothing more (no reconnect).
    expect(failure.others).toEqual(['[jsonrpc] Server exited with status 1']);
    // Two more files visited after the failure started nothing; the restart command started it once.
    expect(failure.starts).toBe(1);
    expect(failure.startsAfterRestart).toBe(2);
  }
  expect(result.wrongPath.ours).toEqual([expect.stringContaining("/nonexistent/telemetry-injector is not executable: fix `telemetry-injector-server-command'")]);
  expect(result.wrongPath.others).toEqual([]);
});
