// Bench (e) and (f): the real server scanning Python's standard library as its workspace.
// (e) code-action latency on an open document while the scan runs; (f) the server's resident
// memory once the scan has finished (worker threads included: they live in the same process).
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { pythonFile } from './server-latency.js';
import { percentile } from './stats.js';

export interface WorkspaceFigures {
  actionsDuringScan: number;
  actionP50: number;
  actionP99: number;
  scanSeconds: number;
  scannedFiles: number;
  rssMiB: number;
}

function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export async function measureWorkspace(root: string): Promise<WorkspaceFigures> {
  const scratch = mkdtempSync(join(tmpdir(), 'bench-open-'));
  const open = join(scratch, 'open.py');
  writeFileSync(open, pythonFile(20));
  const started = performance.now();
  // The corpus is the standard library itself: installed packages are left out, as in (a).
  const settings = { telemetryInjector: { exclude: ['**/site-packages/**'] } };
  const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace: root, settings });
  try {
    const doc = await client.open(open, 'python');
    let done = false;
    const coverage = client
      .request<{ files: unknown[] }>('telemetry/coverage', {})
      .then((r) => ((done = true), r));
    const samples: number[] = [];
    const range = { start: { line: 2, character: 4 }, end: { line: 2, character: 4 } };
    while (!done) {
      const t = performance.now();
      await client.codeActions(doc, range);
      samples.push(performance.now() - t);
    }
    const result = await coverage;
    const scanSeconds = (performance.now() - started) / 1000;
    return {
      actionsDuringScan: samples.length,
      actionP50: percentile(samples, 50),
      actionP99: percentile(samples, 99),
      scanSeconds,
      scannedFiles: result.files.length,
      rssMiB: rssMiB(client.pid!),
    };
  } finally {
    await client.shutdown();
  }
}
