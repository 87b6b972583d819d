// The words of runtime figures in the editor: a lens title (`1,204 calls · p50 0.8 ms · p95 3.1 ms
// · 2 errors`), the hover's breakdown (Markdown) and the plain-text details a lens click answers.
// Pure: takes a FunctionTrace and the time now, returns text.
// Must never compute figures (aggregate.ts does) nor decide which run counts (trace-join.ts does).
import { summarise, topCounts, type CallPreview, type FunctionAggregate } from '../trace/aggregate.js';
import type { FunctionTrace } from './trace-join.js';

/** A p95 change smaller than this (either way) is not marked. */
export const CHANGE_MARKED = 0.1;
const HOUR_MS = 3_600_000;
const TOP = 3;

export function lensTitle(trace: FunctionTrace, nowMs: number): string {
  const parts = trace.latest ? figures(trace.latest) : ['not reached'];
  const change = trace.latest && trace.previous ? p95Change(trace.latest, trace.previous) : undefined;
  if (change) parts.push(change);
  const ago = agoText(trace.endedNs, nowMs);
  if (ago) parts.push(ago);
  if (trace.stale) parts.push('stale');
  return parts.join(' · ');
}

function figures(fn: FunctionAggregate): string[] {
  const s = summarise(fn);
  const parts = [`${s.calls.toLocaleString('en-US')} ${s.calls === 1 ? 'call' : 'calls'}`];
  if (s.p50Ns !== null) parts.push(`p50 ${duration(s.p50Ns)}`);
  if (s.p95Ns !== null) parts.push(`p95 ${duration(s.p95Ns)}`);
  if (s.errors > 0) parts.push(`${s.errors.toLocaleString('en-US')} ${s.errors === 1 ? 'error' : 'errors'}`);
  return parts;
}

/** `p95 ↑ 40 %` when p95 moved by at least CHANGE_MARKED since the previous run. */
export function p95Change(latest: FunctionAggregate, previous: FunctionAggregate): string | undefined {
  const now = latest.durations.quantile(0.95);
  const then = previous.durations.quantile(0.95);
  if (now === null || then === null || then <= 0) return undefined;
  const ratio = (now - then) / then;
  if (Math.abs(ratio) < CHANGE_MARKED) return undefined;
  return `p95 ${ratio > 0 ? '↑' : '↓'} ${Math.round(Math.abs(ratio) * 100)} %`;
}

/** `3 h ago` (or `2 d ago`) when the run ended more than an hour ago. */
export function agoText(endedNs: number, nowMs: number): string | undefined {
  const ms = nowMs - endedNs / 1e6;
  if (ms <= HOUR_MS) return undefined;
  const hours = Math.floor(ms / HOUR_MS);
  return hours < 48 ? `${hours} h ago` : `${Math.floor(hours / 24)} d ago`;
}

/** Nanoseconds as a lens shows them: `850 ns`, `45 µs`, `0.8 ms`, `1.2 s`. */
export function duration(ns: number): string {
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e5) return `${(ns / 1e3).toFixed(ns < 1e4 ? 1 : 0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(1)} ms`;
  return `${(ns / 1e9).toFixed(1)} s`;
}

/** The hover: figures, the top exceptions, the slowest calls with their arguments, loop iterations. */
export function hoverMarkdown(trace: FunctionTrace, nowMs: number): string {
  const lines = [`**${escape(trace.site.name)}** · ${escape(lensTitle(trace, nowMs))}`];
  const fn = trace.latest;
  if (!fn) {
    lines.push('', 'Not reached in the latest run that covered this file.');
    return lines.join('\n');
  }
  for (const section of sections(fn)) {
    lines.push('', `**${section.title}**`, '', ...section.items.map((item) => `- ${escape(item)}`));
  }
  if (trace.stale) lines.push('', '_The function changed since this run: the figures are those of the code that ran._');
  return lines.join('\n');
}

/** The details a lens click answers, as plain text (a message in editors without a viewer). */
export function detailsText(trace: FunctionTrace, nowMs: number): string {
  const lines = [`${trace.site.name}: ${lensTitle(trace, nowMs)}`];
  if (trace.latest) for (const section of sections(trace.latest)) lines.push(`${section.title}: ${section.items.join('; ')}`);
  return lines.join('\n');
}

function sections(fn: FunctionAggregate): { title: string; items: string[] }[] {
  const s = summarise(fn);
  const out: { title: string; items: string[] }[] = [];
  if (s.recorded > 0) {
    const approx = s.exact ? '' : ' (within 1%)';
    out.push({
      title: 'Duration',
      items: [`p50 ${duration(s.p50Ns!)} · p95 ${duration(s.p95Ns!)} · p99 ${duration(s.p99Ns!)} · mean ${duration(s.meanNs!)}${approx}`],
    });
  }
  if (fn.dropped > 0) out.push({ title: 'Calls left out by the call limits', items: [fn.dropped.toLocaleString('en-US')] });
  const raised = topCounts(fn.errorTypes, TOP).map(([type, n]) => `${type} ×${n}`);
  if (raised.length > 0) out.push({ title: 'Exceptions raised', items: raised });
  const handled = topCounts(fn.caughtTypes, TOP).map(([type, n]) => `${type} ×${n}`);
  if (handled.length > 0) out.push({ title: 'Exceptions handled', items: handled });
  if (fn.slowest.length > 0) out.push({ title: 'Slowest calls', items: fn.slowest.map((call) => callText(fn.name, call)) });
  const loops = [...fn.loops.values()].sort((a, b) => a.line - b.line);
  if (loops.length > 0) {
    out.push({
      title: 'Loops',
      items: loops.map((l) => `line ${l.line}${l.kind ? ` (${l.kind})` : ''}: ${l.runs} ${l.runs === 1 ? 'run' : 'runs'}, ${(l.iterations / l.runs).toFixed(1)} iterations on average, at most ${l.maxIterations}`),
    });
  }
  return out;
}

function callText(name: string, call: CallPreview): string {
  const args = call.args === null ? '…' : Object.entries(call.args).map(([k, v]) => `${k}=${v}`).join(', ');
  const outcome = call.error ? ` raised ${call.error.type}` : call.return !== null ? ` → ${call.return}` : '';
  return `${duration(call.durationNs)}: ${name.split('.').at(-1)}(${args})${outcome}`;
}

/** Markdown's special characters in previews and names are shown as they are. */
function escape(text: string): string {
  return text.replace(/[\\`*_{}[\]<>()#+!|]/g, (c) => `\\${c}`);
}
