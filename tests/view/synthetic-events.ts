// Writes event files shaped like the runtimes' (the DESIGN.md event contract), deterministic and of
// any size: the viewer's tests and the 1-million-event bench read them. Each trace is a request
// whose handler calls a parser and a loop of lookups, two of them overlapping as awaited tasks do;
// every seventh trace fails; every other trace starts while the previous one still runs.
// Must never use randomness or the clock: the same arguments give the same bytes.
import fs from 'node:fs';

export interface SyntheticOptions {
  traces: number;
  /** Lookups per trace (each one call, a variable change and a branch). */
  lookups: number;
}

const BASE = 1_800_000_000_000_000_000n;

/** Lines per trace: 2 (root) + 4 (parse) + 2 (loop) + 4 per lookup, + 1 exception when it fails. */
export function eventsPerTrace(lookups: number): number {
  return 8 + 4 * lookups;
}

export async function writeSyntheticEvents(file: string, options: SyntheticOptions): Promise<number> {
  const out = fs.createWriteStream(file);
  let count = 0;
  let buffer: string[] = [];
  const flush = async () => {
    if (!out.write(buffer.join(''))) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    buffer = [];
  };
  const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
  for (let t = 0; t < options.traces; t++) {
    const traceId = hex(t + 1, 32);
    let span = 0;
    // Traces start every 100 µs and last longer: each overlaps the one before.
    const start = BASE + BigInt(t) * 100_000n;
    const rootDuration = BigInt(50_000 + 25_000 * options.lookups);
    const fails = t % 7 === 6;
    const lines: [bigint, string][] = [];
    const common = (name: string, file: string, line: number, corr: string, parent: string | null, spanId: string) =>
      `"function_name":"${name}","file":"${file}","line":${line},"correlation_id":"${corr}","parent_correlation_id":${parent ? `"${parent}"` : 'null'},"trace_id":"${traceId}","span_id":"${spanId}"`;
    const call = (name: string, file: string, line: number, parent: string | null, at: bigint, dur: bigint, args: string, ret: string | null, error?: string) => {
      const corr = `c${hex(t, 8)}-${hex(span, 4)}`;
      const spanId = hex(t * 4096 + ++span, 16);
      const c = common(name, file, line, corr, parent, spanId);
      lines.push([at, `{"event_type":"function_entry","timestamp_ns":${at},${c},"args":${args},"caller":null}`]);
      const tail = error ? `,"error":{"type":"${error}","message":"no such user"}` : ret !== null ? `,"return":${JSON.stringify(ret)}` : '';
      lines.push([at + dur, `{"event_type":"function_exit","timestamp_ns":${at + dur},${c},"duration_ns":${dur}${tail}}`]);
      return { corr, c };
    };
    const root = call('handle_request', 'app/server.py', 10, null, start, rootDuration, `{"path":"\\"/users/${t}\\""}`, fails ? null : '200', fails ? 'KeyError' : undefined);
    const parse = call('parse_query', 'app/query.py', 3, root.corr, start + 5_000n, 20_000n, `{"text":"\\"id=${t}\\""}`, `{"id": ${t}}`);
    lines.push([start + 9_000n, `{"event_type":"variable_change","timestamp_ns":${start + 9_000n},${parse.c},"variable":"id","value":"${t}"}`]);
    lines.push([start + 10_000n, `{"event_type":"branch","timestamp_ns":${start + 10_000n},${parse.c},"branch":"if","condition":"id > 0"}`]);
    lines.push([start + 30_000n, `{"event_type":"loop_entry","timestamp_ns":${start + 30_000n},${root.c},"loop":"for"}`]);
    for (let k = 0; k < options.lookups; k++) {
      // Lookups 0 and 1 overlap (awaited together); the rest follow one another.
      const at = start + 30_000n + BigInt(k < 2 ? k * 5_000 : (k - 1) * 25_000);
      const lookup = call('lookup_user', 'app/db.py', 21, root.corr, at, 20_000n, `{"user_id":"${t * 10 + k}","limit":"10"}`, `[${k}, ${k + 1}]`);
      lines.push([at + 2_000n, `{"event_type":"variable_change","timestamp_ns":${at + 2_000n},${lookup.c},"variable":"rows","value":"[${k}, ${k + 1}]"}`]);
      lines.push([at + 3_000n, `{"event_type":"branch","timestamp_ns":${at + 3_000n},${lookup.c},"branch":"else","condition":null}`]);
    }
    const loopEnd = start + rootDuration - 10_000n;
    lines.push([loopEnd, `{"event_type":"loop_exit","timestamp_ns":${loopEnd},${root.c},"loop":"for","iterations":${options.lookups},"duration_ns":${rootDuration - 40_000n}}`]);
    if (fails) lines.push([loopEnd + 1n, `{"event_type":"exception","timestamp_ns":${loopEnd + 1n},${root.c},"clause":"except","error":{"type":"KeyError","message":"no such user"}}`]);
    // A file is written in time order, as one process writes it.
    lines.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    for (const [, line] of lines) buffer.push(`${line}\n`);
    count += lines.length;
    if (buffer.length > 4096) await flush();
  }
  await flush();
  await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
  return count;
}
