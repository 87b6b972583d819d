// The Emacs client (clients/emacs/telemetry-injector.el) in a real `emacs --batch` with Debian's
// `emacs-nox` and `elpa-eglot` (Eglot 1.9, push diagnostics): the conformance scenario as an ert
// test (tests/editors/emacs/conformance-test.el). .ci/run installs both packages.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { repoRoot } from '../protocol/lsp-client.js';
import { checkReport, conformanceDir, copyConformanceWorkspace, readReport } from './conformance/report.js';

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

it('passes the conformance scenario in Emacs with Eglot (push diagnostics)', () => {
  if (spawnSync('emacs', ['--version']).status !== 0) throw new Error('emacs is missing: apt-get install emacs-nox elpa-eglot (bash .ci/run does it)');
  const workspace = copyConformanceWorkspace('conformance-emacs-');
  scratch.push(workspace);
  // The client's default lookup finds the workspace's own node_modules/.bin (never npx); Eglot
  // takes the project from version control, so the workspace is a repository.
  fs.mkdirSync(path.join(workspace, 'node_modules/.bin'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'bin/telemetry-injector.js'), path.join(workspace, 'node_modules/.bin/telemetry-injector'));
  expect(spawnSync('git', ['init', '-q', workspace]).status).toBe(0);
  const reportFile = path.join(workspace, 'conformance-report.json');
  // Not -Q: Debian's site start-up puts the elpa-eglot package on the load path.
  const args = ['--batch', '-L', path.join(repoRoot, 'clients/emacs'), '-l', path.join(repoRoot, 'tests/editors/emacs/conformance-test.el'), '-f', 'ert-run-tests-batch-and-exit'];
  const run = spawnSync('emacs', args, {
    encoding: 'utf8',
    timeout: 120_000,
    env: {
      ...process.env,
      CONFORMANCE_WORKSPACE: workspace,
      CONFORMANCE_REPORT: reportFile,
      CONFORMANCE_GOLDEN_ADD: path.join(conformanceDir, 'golden/app.add-greet.py'),
      CONFORMANCE_GOLDEN_FIX_ALL: path.join(conformanceDir, 'golden/app.fix-all.py'),
    },
  });
  expect(run.status, run.stderr.split('\n').filter((line) => !line.startsWith('[eglot]')).slice(-40).join('\n')).toBe(0);
  const report = readReport(reportFile);
  expect(report.client).toMatch(/^emacs \d+\.\d+ eglot /);
  expect(checkReport(report, { diagnosticsMode: 'push' })).toEqual([]);
});
