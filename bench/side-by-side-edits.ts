// Bench (h) side by side: the same edit -> pull harness (sync-costs.ts editLatency) against two server
// builds in one run, alternating rounds so that both see the same load. Usage:
// node dist/bench/side-by-side-edits.js <other build's dist/server/src/lsp/main.js> [rounds]
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { pythonFile } from './server-latency.js';
import { percentile } from './stats.js';
import { editLatency } from './sync-costs.js';

const other = process.argv[2];
const rounds = Number(process.argv[3] ?? 3);
if (!other) throw new Error('usage: side-by-side-edits.js <other main.js> [rounds]');
const workspace = mkdtempSync(join(tmpdir(), 'bench-side-'));
const text = pythonFile(105);
const builds = { other: other, this: undefined as string | undefined };
const samples: Record<string, { clean: number[]; broken: number[] }> = { other: { clean: [], broken: [] }, this: { clean: [], broken: [] } };
const loads: number[] = [];
try {
  for (let round = 0; round < rounds; round++) {
    for (const [name, server] of Object.entries(builds)) {
      const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, ...(server && { server }) });
      try {
        loads.push(loadavg()[0]!);
        samples[name]!.clean.push(...(await editLatency(client, join(workspace, `clean-${name}-${round}.py`), text)));
        samples[name]!.broken.push(...(await editLatency(client, join(workspace, `broken-${name}-${round}.py`), `def broken(:\n${text}`)));
      } finally {
        await client.shutdown();
      }
    }
  }
  const row = (s: number[]) => `p50 ${percentile(s, 50).toFixed(2)} / p95 ${percentile(s, 95).toFixed(2)} ms`;
  for (const name of Object.keys(builds)) {
    console.log(`${name.padEnd(5)} clean  ${row(samples[name]!.clean)}   with a syntax error  ${row(samples[name]!.broken)}`);
  }
  console.log(`load average (1 min) during the runs: ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`);
} finally {
  rmSync(workspace, { recursive: true, force: true });
}
