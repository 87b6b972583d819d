// Bench (h) and (i), the price of issue 14's exactness rules:
// (h) edit -> pull diagnostics on the ~2,500-line file, clean and with a syntax error at its top
//     (edits away from it reparse around the error, engine/reparse.ts, and analyze again only what
//     changed; the tree still equals a fresh parse, so the diagnostics equal a fresh open's);
// (i) fixAll on 100 functions in a file whose syntax error error recovery moves outside the
//     functions: validation finds the culprit by bisection; parses counted, clean file beside it.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../server/src/engine/engine.js';
import { LspClient } from '../tests/protocol/lsp-client.js';
import { pythonFile } from './server-latency.js';
import { percentile } from './stats.js';

export interface SyncCosts {
  editLines: number;
  cleanP50: number;
  cleanP95: number;
  brokenP50: number;
  brokenP95: number;
  /** In-process, the same file: one incremental reparse after a one-character edit, and a fresh parse. */
  incrementalParseMs: number;
  freshParseMs: number;
  blameFunctions: number;
  blameMs: number;
  blameParses: number;
  blameAdded: number;
  cleanFixAllMs: number;
  cleanFixAllParses: number;
}

/** Milliseconds from each of 100 one-character edits to its pulled diagnostics (exported for side-by-side runs of two builds). */
export async function editLatency(client: LspClient, file: string, text: string): Promise<number[]> {
  writeFileSync(file, text);
  const doc = await client.open(file, 'python');
  await client.diagnostics(doc);
  const samples: number[] = [];
  for (let i = 0; i < 100; i++) {
    const at = text.indexOf('total = 0', (i * 997) % (text.length - 100));
    const next = i % 2 === 0 ? text.slice(0, at) + 'x' + text.slice(at) : text;
    const start = performance.now();
    await client.change(doc, next);
    await client.diagnostics(doc);
    samples.push(performance.now() - start);
  }
  await client.close(doc);
  return samples;
}

/** 100 functions after a first line holding an unterminated string (shaped after ajv's compiled code). */
export function brokenJsFile(pairs: number, broken: boolean): string {
  const head = broken ? ['Object.defineProperty(exports, "__esModule", { value"wS\tK: true });'] : [];
  const body = Array.from({ length: pairs }, (_, i) => [
    `function hasRules${i}({ schema, self }, type) {`,
    '    const group = self.RULES.types[type];',
    `    return group && group !== true && useGroup${i}(schema, group);`,
    '}',
    `function useRule${i}(schema, rule) {`,
    '    return (schema[rule.keyword] !== undefined ||',
    '        ((_a = rule.definition.implements) === null || _a === void 0 ? void 0 : _a.some((kwd) => schema[kwd] !== undefined)));',
    '}',
  ]).flat();
  return [...head, ...body].join('\n');
}

function fixAllCost(engine: Engine, text: string): { ms: number; parses: number; added: number } {
  let parses = 0;
  const host = Object.create(engine) as Engine;
  host.parse = (...args) => (parses++, engine.parse(...args));
  const times: number[] = [];
  let added = 0;
  for (let i = 0; i < 5; i++) {
    parses = 0;
    const start = performance.now();
    added = host.add('javascript', text, { relPath: 'a.js', runtimeImport: './telemetry-runtime.cjs' }).added.length;
    times.push(performance.now() - start);
  }
  return { ms: percentile(times, 50), parses, added };
}

function parseCosts(engine: Engine, text: string): { incremental: number; fresh: number } {
  const incremental: number[] = [];
  const fresh: number[] = [];
  const at = text.indexOf('total = 0', text.length >> 1);
  const next = text.slice(0, at) + 'x' + text.slice(at);
  const point = (offset: number) => {
    const before = text.slice(0, offset).split('\n');
    return { row: before.length - 1, column: before.at(-1)!.length };
  };
  for (let i = 0; i < 30; i++) {
    const old = engine.parse('python', text);
    old.edit({ startIndex: at, oldEndIndex: at, newEndIndex: at + 1, startPosition: point(at), oldEndPosition: point(at), newEndPosition: { ...point(at), column: point(at).column + 1 } });
    let start = performance.now();
    const tree = engine.parse('python', next, old);
    incremental.push(performance.now() - start);
    start = performance.now();
    const whole = engine.parse('python', next);
    fresh.push(performance.now() - start);
    for (const t of [old, tree, whole]) t.delete();
  }
  return { incremental: percentile(incremental, 50), fresh: percentile(fresh, 50) };
}

export async function measureSyncCosts(): Promise<SyncCosts> {
  const workspace = mkdtempSync(join(tmpdir(), 'bench-sync-'));
  const text = pythonFile(105);
  const client = await LspClient.start({ editor: 'vscode-languageclient-11.0.0', workspace });
  try {
    const clean = await editLatency(client, join(workspace, 'clean.py'), text);
    const broken = await editLatency(client, join(workspace, 'broken.py'), `def broken(:\n${text}`);
    const engine = await Engine.create();
    await engine.ready('javascript');
    await engine.ready('python');
    const parse = parseCosts(engine, text);
    const blame = fixAllCost(engine, brokenJsFile(50, true));
    const plain = fixAllCost(engine, brokenJsFile(50, false));
    return {
      editLines: text.split('\n').length,
      cleanP50: percentile(clean, 50),
      cleanP95: percentile(clean, 95),
      brokenP50: percentile(broken, 50),
      brokenP95: percentile(broken, 95),
      incrementalParseMs: parse.incremental,
      freshParseMs: parse.fresh,
      blameFunctions: 100,
      blameMs: blame.ms,
      blameParses: blame.parses,
      blameAdded: blame.added,
      cleanFixAllMs: plain.ms,
      cleanFixAllParses: plain.parses,
    };
  } finally {
    await client.shutdown();
    rmSync(workspace, { recursive: true, force: true });
  }
}

if (process.argv[1]?.endsWith('sync-costs.js')) console.log(await measureSyncCosts());
