// Writes the viewer's model in the two formats other tools open: Chrome trace-event JSON (Perfetto,
// chrome://tracing) and speedscope's file format (evented profiles). Both are streamed to a
// writable piece by piece, so a million calls never become one string.
// Must never change what a call measured except where a format cannot say it: speedscope needs
// strictly nested frames, so an async child that outlives its parent or overlaps a sibling is
// clamped (and counted); Chrome gets the exact times.
import type { ViewIndex } from './view-index.js';

export type ExportFormat = 'chrome' | 'speedscope';

export interface Sink {
  write(text: string): unknown;
}

export interface ExportCounts {
  calls: number;
  inline: number;
  /** speedscope only: calls whose times were clamped to nest inside their parent or after a sibling. */
  clamped: number;
}

const US = 1000;

/** Chrome trace events: one complete event (ph X) per call, an instant (ph i) per fine-grained event; tid = task band. */
export function writeChrome(index: ViewIndex, out: Sink): ExportCounts {
  const forest = index.forest;
  const counts: ExportCounts = { calls: 0, inline: 0, clamped: 0 };
  out.write('{"displayTimeUnit":"ns","otherData":{"exporter":"telemetry-injector"},"traceEvents":[\n');
  let first = true;
  const emit = (event: unknown) => {
    out.write(`${first ? '' : ',\n'}${JSON.stringify(event)}`);
    first = false;
  };
  for (let band = 0; band < index.bandCount; band++) {
    emit({ ph: 'M', name: 'thread_name', pid: 1, tid: band + 1, args: { name: `task ${band + 1}` } });
  }
  for (const call of index.startOrder) {
    const c = forest.call(call);
    const fn = forest.functions[c.fn]!;
    const tid = index.bandOf(call) + 1;
    const args: Record<string, unknown> = { file: `${fn.file}:${fn.line}`, trace_id: forest.traceIds[c.trace] };
    if (c.args) args.args = c.args;
    if (c.ret !== undefined) args.return = c.ret;
    if (c.error) args.error = c.error;
    const end = index.endOf(call);
    emit({ ph: 'X', name: fn.name, cat: c.error ? 'function,error' : 'function', pid: 1, tid, ts: (c.start - index.first) / US, dur: (end - c.start) / US, args });
    counts.calls++;
    for (const e of forest.inlines(call)) {
      emit({ ph: 'i', s: 't', name: e.text.slice(0, 80), cat: e.kind, pid: 1, tid, ts: (e.time - index.first) / US, args: { line: e.line, text: e.text } });
      counts.inline++;
    }
  }
  out.write('\n]}\n');
  return counts;
}

/** speedscope: one evented profile per task band, frames shared, times in nanoseconds from the first event. */
export function writeSpeedscope(index: ViewIndex, out: Sink, name = 'telemetry'): ExportCounts {
  const forest = index.forest;
  const counts: ExportCounts = { calls: 0, inline: 0, clamped: 0 };
  const frames = forest.functions.map((f) => ({ name: f.name, file: f.file, line: f.line }));
  const end = index.last - index.first;
  out.write(`{"$schema":"https://www.speedscope.app/file-format-schema.json","exporter":"telemetry-injector","name":${JSON.stringify(name)},"activeProfileIndex":0,`);
  out.write(`"shared":{"frames":${JSON.stringify(frames)}},"profiles":[`);
  // Roots per band, in start order.
  const bandRoots: number[][] = Array.from({ length: index.bandCount }, () => []);
  for (const call of index.startOrder) if (forest.parentAt(call) === -1) bandRoots[index.bandOf(call)]!.push(call);
  bandRoots.forEach((roots, band) => {
    const events: string[] = [];
    let cursor = 0;
    // Depth-first with explicit bounds: [lo, hi] is where the next frame may live.
    const visit = (call: number, lo: number, hi: number) => {
      const start = forest.startAt(call) - index.first;
      const stop = index.endOf(call) - index.first;
      const open = Math.max(start, lo);
      const close = Math.min(stop, hi);
      counts.calls++;
      if (open !== start || close !== stop) counts.clamped++;
      if (close < open) return;
      const frame = forest.fnAt(call);
      events.push(`{"type":"O","frame":${frame},"at":${open}}`);
      let inner = open;
      for (const child of forest.children(call)) {
        const childEnd = visit(child, inner, close);
        if (childEnd !== undefined) inner = childEnd;
      }
      events.push(`{"type":"C","frame":${frame},"at":${close}}`);
      return close;
    };
    for (const root of roots) {
      const rootEnd = visit(root, cursor, end);
      if (rootEnd !== undefined) cursor = rootEnd;
    }
    out.write(`${band === 0 ? '' : ','}{"type":"evented","name":"task ${band + 1}","unit":"nanoseconds","startValue":0,"endValue":${Math.max(cursor, 0)},"events":[${events.join(',')}]}`);
  });
  out.write(']}\n');
  return counts;
}
