// The CLI and the language server decide which files belong to a workspace in one module: on the
// same tree, `check --format json` and `telemetry/coverage` must list exactly the same files.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { CoverageResult } from '../../protocol/coverage.js';
import { cli, unprivilegedUser, whyNotLocked } from '../cli/helpers.js';
import { LspClient } from './lsp-client.js';

const fn = 'def f():\n    pass\n';
const jsFn = 'function f() {}\n';

/** A Python and TypeScript project with the folders a real one has, and ignore files at three levels. */
const tree: Record<string, string> = {
  '.gitignore': '.venv/\nbuild/\n*.gen.py\ngenerated/*\n!generated/keep.py\n',
  'app/main.py': fn,
  'app/.gitignore': 'local_*.py\n!local_keep.py\n',
  'app/local_secret.py': fn,
  'app/local_keep.py': fn,
  'app/models.gen.py': fn,
  'generated/drop.py': fn,
  'generated/keep.py': fn,
  'build/gen.py': fn,
  '.venv/lib/site.py': fn,
  '.venv/bin/activate_this.py': fn,
  'node_modules/pkg/index.js': jsFn,
  'scratch/try.py': fn,
  'web/.gitignore': 'out/\n',
  'web/src/index.ts': 'export function f(): void {}\n',
  'web/out/bundle.js': jsFn,
  'web/node_modules/dep/index.js': jsFn,
};

/** What belongs to the workspace: everything above that no rule leaves out. */
const expected = ['app/local_keep.py', 'app/main.py', 'generated/keep.py', 'web/src/index.ts'];

let workspace: string | undefined;
let client: LspClient | undefined;

afterEach(async () => {
  await client?.shutdown();
  client = undefined;
  if (workspace && fs.existsSync(path.join(workspace, 'locked'))) fs.chmodSync(path.join(workspace, 'locked'), 0o755);
  if (workspace) fs.rmSync(workspace, { recursive: true, force: true });
  workspace = undefined;
});

function makeTree(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-file-set-'));
  for (const [file, text] of Object.entries(tree)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), text);
  }
  // A real repository, so that .git/info/exclude is where git keeps it.
  execFileSync('git', ['init', '-q', root]);
  fs.appendFileSync(path.join(root, '.git/info/exclude'), 'scratch/\n');
  return root;
}

describe('the workspace file set', () => {
  it('is the same for check --format json and telemetry/coverage: nested .gitignore files, a negation, .venv, build and node_modules', async () => {
    workspace = makeTree();
    const run = await cli(['check', '.', '--format', 'json'], { cwd: workspace });
    expect(run.stderr).toBe('');
    const checked = (JSON.parse(run.stdout) as { files: { path: string }[] }).files.map((f) => f.path).sort();

    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
    const covered = (await client.request<CoverageResult>('telemetry/coverage', {})).files.map((f) => f.path).sort();

    expect(checked).toEqual(expected);
    expect(covered).toEqual(checked);
  });

  it('agrees with git about which files are ignored', () => {
    workspace = makeTree();
    const notIgnored = execFileSync('git', ['ls-files', '--others', '--exclude-standard'], { cwd: workspace, encoding: 'utf8' })
      .split('\n')
      .filter((file) => /\.(py|ts|js)$/.test(file) && !file.split('/').includes('node_modules'));
    expect(notIgnored.sort()).toEqual(expected);
  });

  it('leaves an unreadable folder out of the scan with one log line, and scans the rest', async (context) => {
    workspace = makeTree();
    fs.mkdirSync(path.join(workspace, 'locked'));
    fs.writeFileSync(path.join(workspace, 'locked/secret.py'), fn);
    fs.chmodSync(path.join(workspace, 'locked'), 0o000);
    // Root reads through any mode bits, so as root the server runs as the unprivileged `nobody`.
    const user = unprivilegedUser();
    if (user) fs.chmodSync(workspace, 0o755);
    const reason = whyNotLocked(path.join(workspace, 'locked'), user);
    if (reason) context.skip(`mode 000 does not keep the server out of a folder here: ${reason}`);

    client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, ...(user && { user }) });
    // The answer comes once the scan has finished, after every log line it wrote.
    const covered = (await client.request<CoverageResult>('telemetry/coverage', {})).files.map((f) => f.path).sort();
    expect(covered).toEqual(expected);
    const told = client.logs().filter((line) => line.includes('cannot read'));
    expect(told).toHaveLength(1);
    expect(told[0]).toContain(path.join(workspace, 'locked'));
  });
});
