// Row (j) of `npm run bench`: the trace model's single pass over a large event file. Generates a
// file of realistic events (entries with argument previews, exits, loops, variables, branches,
// caught and escaping errors, over 400 functions in 40 files) in a temporary folder, aggregates it
// in a child process (so its peak RSS is the model's alone), and deletes the folder.
// Run alone: `node dist/bench/trace-aggregate.js [--mb 1024]`. Must never leave the file behind.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

export interface TraceAggregateCost {
  mb: number;
  events: number;
  functions: number;
  seconds: number;
  mbPerSecond: number;
  peakRssMiB: number;
  generateSeconds: number;
}

const FUNCTIONS = 400;
const FILES = 40;

/** Writes about `mb` MB of events to `file`; a seeded generator, so every run writes the same bytes. */
export async function generateEvents(file: string, mb: number): Promise<number> {
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const out = fs.createWriteStream(file);
  const target = mb * 1024 * 1024;
  let written = 0;
  let calls = 0;
  let ts = 1_700_000_000_000_000_000;
  const chunk: string[] = [];
  while (written < target) {
    const f = Math.floor(random() * random() * FUNCTIONS);
    const common = `"function_name":"Handler${f % 7}.method_${f}","file":"src/module_${f % FILES}.py"`;
    const corr = `c${(calls++).toString(16).padStart(12, '0')}`;
    const ids = `"correlation_id":"${corr}","parent_correlation_id":null,"trace_id":"${'a'.repeat(24)}${corr.slice(5)}","span_id":"${corr.slice(1)}abcd"`;
    const line = 10 + f * 3;
    const duration = Math.round(Math.exp(8 + 3 * random() + (f % 5)));
    const lines = [
      `{"event_type":"function_entry","timestamp_ns":${(ts += 1000)},${common},"line":${line},${ids},"args":{"request":"{\\"id\\": ${calls}, \\"path\\": \\"/api/v1/items\\"}","limit":"${f}"},"caller":null}`,
      `{"event_type":"variable_change","timestamp_ns":${(ts += 100)},${common},"line":${line + 1},${ids},"variable":"total","value":"${calls % 997}"}`,
      `{"event_type":"loop_entry","timestamp_ns":${(ts += 100)},${common},"line":${line + 2},${ids},"loop":"for"}`,
      `{"event_type":"branch","timestamp_ns":${(ts += 100)},${common},"line":${line + 2},${ids},"branch":"if","condition":"item.ok"}`,
      `{"event_type":"loop_exit","timestamp_ns":${(ts += 100)},${common},"line":${line + 2},${ids},"loop":"for","iterations":${calls % 50},"duration_ns":${duration >> 1},"suppressed":0}`,
    ];
    const raised = random() < 0.02;
    if (raised) lines.push(`{"event_type":"exception","timestamp_ns":${(ts += 100)},${common},"line":${line + 3},${ids},"clause":"except","error":{"type":"KeyError","message":"'id'"}}`);
    lines.push(
      `{"event_type":"function_exit","timestamp_ns":${(ts += duration)},${common},"line":${line},${ids},"duration_ns":${duration}` +
        (raised && random() < 0.5 ? `,"error":{"type":"ValueError","message":"bad item"}}` : `,"return":"${calls % 100}"}`),
    );
    for (const l of lines) {
      chunk.push(l);
      written += l.length + 1;
    }
    if (chunk.length >= 2048) {
      if (!out.write(`${chunk.join('\n')}\n`)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      chunk.length = 0;
    }
  }
  out.end(chunk.length ? `${chunk.join('\n')}\n` : '');
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
  return fs.statSync(file).size;
}

export async function measureTraceAggregate(mb: number): Promise<TraceAggregateCost> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-trace-bench-'));
  try {
    const file = path.join(dir, 'telemetry.jsonl');
    const started = performance.now();
    const bytes = await generateEvents(file, mb);
    const generateSeconds = (performance.now() - started) / 1000;
    const child = fileURLToPath(new URL('./trace-aggregate-child.js', import.meta.url));
    const run = spawnSync(process.execPath, [child, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (run.status !== 0) throw new Error(`trace aggregation failed: ${run.stderr}`);
    const result = JSON.parse(run.stdout) as { events: number; functions: number; seconds: number; maxRssKiB: number };
    return {
      mb: bytes / 1024 / 1024,
      events: result.events,
      functions: result.functions,
      seconds: result.seconds,
      mbPerSecond: bytes / 1024 / 1024 / result.seconds,
      peakRssMiB: result.maxRssKiB / 1024,
      generateSeconds,
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '1024' } } });
  console.log(JSON.stringify(await measureTraceAggregate(Number(values.mb)), null, 2));
}
