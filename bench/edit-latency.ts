// Bench (b) on real files: the real server over stdio, one-character edits on real ~2,500-line
// files (CPython's argparse.py, a Go file from GOROOT, a TS file from node_modules, error-free; named in the
// output), each followed by the diagnostics as the client gets them: pulled (VS Code), or pushed
// (Neovim 0.7: the push waits out the server's 150 ms debounce, which is subtracted). Edits
// alternate typing and deleting a character: in a comment, and in a name inside a function body.
// Also reads the server's event-loop-delay histogram (telemetryInjector/stats) over the edits and
// over fixAll on the same file (row (d) on a real file).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { ServerStatsRequest, type ServerStats } from '../protocol/server-stats.js';
import { goSource, pythonStdlib } from '../tests/corpus/corpus.js';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { percentile } from './stats.js';

const PUSH_DEBOUNCE_MS = 150;
const EDITS = 120;

export interface RealFile {
  label: string;
  path: string;
  languageId: string;
}

export function realFiles(): RealFile[] {
  const go = goSource();
  const files: RealFile[] = [
    { label: 'argparse.py', path: join(pythonStdlib(), 'argparse.py'), languageId: 'python' },
    { label: 'go crypto/x509/x509.go', path: go ? join(go, 'crypto/x509/x509.go') : '', languageId: 'go' },
    { label: 'openai src/lib/transform.ts', path: 'node_modules/openai/src/lib/transform.ts', languageId: 'typescript' },
  ];
  return files.filter((f) => f.path && existsSync(f.path));
}

export interface EditLatency {
  file: string;
  lines: number;
  functions: number;
  mode: 'pull' | 'push';
  p50: number;
  p95: number;
  /** Event-loop delay over the edits. */
  loopMaxMs: number;
  loopP99Ms: number;
  /** fixAll, code action + resolve, from the client (pull client only). */
  fixAllMs?: number;
  fixAllLoopMaxMs?: number;
}

/** Offsets where one character can be typed and deleted again without a parse error. */
function editPoints(text: string, comment: string): number[] {
  const points: number[] = [];
  const lines = text.split('\n');
  let offset = 0;
  for (const line of lines) {
    const c = line.indexOf(`${comment} `);
    if (c >= 0 && !line.slice(0, c).includes('"') && !line.slice(0, c).includes("'")) points.push(offset + c + comment.length + 1);
    const name = /^([ \t]+)([a-z_][A-Za-z_0-9]*)(\s*(=|:=|\.|\())/.exec(line);
    if (name && !['return', 'if', 'for', 'while', 'elif', 'print', 'yield', 'await', 'go', 'defer', 'case', 'switch', 'select', 'await', 'throw', 'new', 'typeof', 'super', 'this'].includes(name[2]!)) {
      points.push(offset + name[1]!.length + 1);
    }
    offset += line.length + 1;
  }
  return points;
}

/** The event-loop delay since the last read; NaN from a server without the request (an older build). */
async function loopDelay(client: LspClient): Promise<{ maxMs: number; p99Ms: number }> {
  return client.request<ServerStats>(ServerStatsRequest.method, undefined).then(
    (s) => s.eventLoopDelay,
    () => ({ maxMs: NaN, p99Ms: NaN }),
  );
}

/** `server`: another build's main.js, to measure it side by side. */
export async function measureEditLatency(file: RealFile, mode: 'pull' | 'push', server?: string): Promise<EditLatency> {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-edit-'));
  const path = join(workspace, basename(file.path));
  const text = readFileSync(file.path, 'utf8');
  writeFileSync(path, text);
  const client = await LspClient.start({ editor: mode === 'pull' ? 'vscode-languageclient-11.0.0' : 'neovim-0.7.2', workspace, server });
  try {
    const doc = await client.open(path, file.languageId, text);
    const functions = (await client.diagnostics(doc)).length;
    const points = editPoints(text, file.languageId === 'python' ? '#' : '//');
    if (points.length < 10) throw new Error(`bench: too few edit points in ${file.label}`);
    await loopDelay(client);
    const samples: number[] = [];
    for (let i = 0; i < EDITS; i++) {
      const at = points[Math.floor((i >> 1) * 7919) % points.length]!;
      const next = i % 2 === 0 ? text.slice(0, at) + 'x' + text.slice(at) : text;
      const start = performance.now();
      await client.change(doc, next);
      await client.diagnostics(doc);
      samples.push(performance.now() - start - (mode === 'push' ? PUSH_DEBOUNCE_MS : 0));
    }
    const loop = await loopDelay(client);
    const result: EditLatency = {
      file: file.label,
      lines: text.split('\n').length,
      functions,
      mode,
      p50: percentile(samples, 50),
      p95: percentile(samples, 95),
      loopMaxMs: loop.maxMs,
      loopP99Ms: loop.p99Ms,
    };
    if (mode === 'pull') {
      const times: number[] = [];
      for (let i = 0; i < 5; i++) {
        const whole = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
        const start = performance.now();
        const [action] = await client.codeActions(doc, whole, ['source.fixAll.telemetry']);
        const edit = action && (await client.editOf(action));
        times.push(performance.now() - start);
        if (!edit) break; // e.g. Go outside a module: the action is offered disabled
      }
      if (times.length === 5) result.fixAllMs = percentile(times, 50);
      result.fixAllLoopMaxMs = (await loopDelay(client)).maxMs;
    }
    return result;
  } finally {
    await client.shutdown();
  }
}
