// Bench (h) side by side: the same edit -> pull harness (sync-costs.ts editLatency) against other
// server builds and this one in one run, alternating rounds so that all see the same load. Usage:
// node dist/bench/side-by-side-edits.js [--rounds N] <other build's dist/server/src/lsp/main.js>...
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { pythonFile } from './server-latency.js';
import { percentile } from './stats.js';
import { editLatency } from './sync-costs.js';

const args = process.argv.slice(2);
const at = args.indexOf('--rounds');
const rounds = at >= 0 ? Number(args.splice(at, 2)[1]) : 3;
if (!args.length) throw new Error('usage: side-by-side-edits.js [--rounds N] <other main.js>...');
const text = pythonFile(105);
const builds: Record<string, string | undefined> = Object.fromEntries([...args.map((a, i) => [`other ${i + 1}`, a]), ['this', undefined]]);
const samples: Record<string, { clean: number[]; broken: number[] }> = Object.fromEntries(Object.keys(builds).map((b) => [b, { clean: [], broken: [] }]));
const loads: number[] = [];
for (let round = 0; round < rounds; round++) {
  for (const [name, server] of Object.entries(builds)) {
    // A workspace of its own, as the bench's: the server's start-up scan must not find the others' files.
    const workspace = mkdtempSync(join(tmpdir(), 'bench-side-'));
    try {
      const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace, ...(server && { server }) });
      const file = (kind: string) => join(workspace, `${kind}-${name.replace(' ', '-')}-${round}.py`);
      try {
        loads.push(loadavg()[0]!);
        samples[name]!.clean.push(...(await editLatency(client, file('clean'), text)));
        samples[name]!.broken.push(...(await editLatency(client, file('broken'), `def broken(:\n${text}`)));
      } finally {
        await client.shutdown();
      }
    } finally {
      rmSync(workspace, { recursive: true, force: true });
    }
  }
}
const row = (s: number[]) => `p50 ${percentile(s, 50).toFixed(2)} / p95 ${percentile(s, 95).toFixed(2)} ms`;
for (const [name, server] of Object.entries(builds)) {
  if (server) console.log(`${name}: ${server}`);
  console.log(`${name.padEnd(8)} clean  ${row(samples[name]!.clean)}   with a syntax error  ${row(samples[name]!.broken)}`);
}
console.log(`load average (1 min) during the runs: ${Math.min(...loads).toFixed(2)}-${Math.max(...loads).toFixed(2)}`);
