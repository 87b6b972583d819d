// `npm run bench`: measures the project on this machine's real corpora and prints one table of
// ratios and percentiles measured side by side in this run. `--json FILE` also writes the figures.
import { availableParallelism } from 'node:os';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Engine } from '../server/src/engine/engine.js';
import { measureRuntimeCost } from './runtime-cost.js';
import { measureServerLatency } from './server-latency.js';

interface Row {
  measure: string;
  value: string;
  target: string;
  met: boolean | null;
}

const { values } = parseArgs({ options: { json: { type: 'string' } } });
const rows: Row[] = [];
const figures: Record<string, unknown> = { cores: availableParallelism() };
const row = (measure: string, value: string, target: string, met: boolean | null) => rows.push({ measure, value, target, met });

const engine = await Engine.create();

const latency = await measureServerLatency();
figures.serverLatency = latency;
row(`(b) edit -> diagnostics p50 / p95, ${latency.editLines}-line file`, `${latency.editP50.toFixed(2)} / ${latency.editP95.toFixed(2)} ms`, 'p95 <= 10 ms', latency.editP95 <= 10);
row(`(d) fixAll on ${latency.fixAllFunctions} functions, action + resolve`, `${latency.fixAllMs.toFixed(1)} ms`, '<= 20 ms', latency.fixAllMs <= 20);

const runtime = await measureRuntimeCost(engine);
figures.runtime = runtime;
const offTarget: Record<string, number> = { python: 15, node: 2, go: 1 };
const onTarget: Record<string, number> = { python: 3000, node: 500, go: 500 };
for (const r of runtime) {
  row(`(g) ${r.language}: disabled probe, per call`, `${r.offNs.toFixed(1)} ns`, `<= ${offTarget[r.language]} ns`, r.offNs <= offTarget[r.language]);
  row(`(g) ${r.language}: enabled, per event (file sink)`, `${r.onNs.toFixed(0)} ns`, `<= ${onTarget[r.language]} ns`, r.onNs <= onTarget[r.language]);
}

const width = [0, 0, 0];
const cells = rows.map((r) => [r.measure, r.value, r.target + (r.met === null ? '' : r.met ? '  ok' : '  MISSED')]);
for (const c of cells) c.forEach((v, i) => (width[i] = Math.max(width[i], v.length)));
console.log(`telemetry-injector benchmark: ${figures.cores} cores, node ${process.version}`);
for (const c of [['measure', 'value', 'target'], ...cells]) console.log(c.map((v, i) => v.padEnd(width[i])).join(' | '));
if (values.json) writeFileSync(values.json, JSON.stringify({ figures, rows }, null, 2));
