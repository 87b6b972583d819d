// The viewer's model and its exports, on a synthetic event file with bad lines appended: call trees
// with inline events and errors, timeline rows that split overlapping work, search, paged calls,
// per-function figures, the loopback server's answers, and Chrome/speedscope output that other
// tools can read (speedscope's evented profiles must nest strictly).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeChrome, writeSpeedscope } from '../../server/src/view/exports.js';
import { ViewIndex } from '../../server/src/view/view-index.js';
import { serveView } from '../../server/src/view/view-server.js';
import { writeSyntheticEvents } from './synthetic-events.js';

let dir: string;
let index: ViewIndex;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-view-'));
  const file = path.join(dir, 'events.jsonl');
  await writeSyntheticEvents(file, { traces: 20, lookups: 3 });
  // Bad input: a line that is not JSON, an unknown event type, and a file truncated mid-line.
  fs.appendFileSync(file, 'garbage\n{"event_type":"from_the_future","function_name":"f","file":"a.py","line":1}\n{"event_type":"function_en');
  index = await ViewIndex.load([file], dir);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const sink = () => {
  const parts: string[] = [];
  return { write: (text: string) => parts.push(text), text: () => parts.join('') };
};

describe('the view index', () => {
  it('counts the lines it skipped, by kind, without failing on them', () => {
    const summary = index.summary();
    expect(summary.skipped).toBe(3);
    expect(summary.files[0]).toMatchObject({ malformed: 2, unknownType: 1 });
    expect(summary.calls).toBe(20 * 5);
    expect(summary.traces).toBe(20);
  });

  it('builds each trace as a call tree with variable, branch and loop events inline', () => {
    const { nodes, trace } = index.tree(0);
    expect(trace.calls).toBe(5);
    expect(nodes.map((n) => [n.name, n.depth])).toEqual([
      ['handle_request', 0],
      ['parse_query', 1],
      ['lookup_user', 1],
      ['lookup_user', 1],
      ['lookup_user', 1],
    ]);
    expect(nodes[1]!.inline.map((i) => i.text)).toEqual(['id = 0', 'if (id > 0)']);
    expect(nodes[1]!.ret).toBe('{"id": 0}');
    expect(nodes[0]!.inline.map((i) => i.kind)).toEqual(['loop_entry', 'loop_exit']);
  });

  it('marks a call that raised and the exception its caller caught', () => {
    const { nodes, trace } = index.tree(6);
    expect(trace.errors).toBe(1);
    expect(nodes[0]!.error).toEqual({ type: 'KeyError', message: 'no such user' });
    expect(nodes[0]!.inline.some((i) => i.error && i.text.includes('KeyError'))).toBe(true);
  });

  it('puts overlapping calls of one trace and overlapping traces on rows of their own', () => {
    const { bars } = index.timeline(0, index.last - index.first, 100_000);
    const trace0 = bars.filter((b) => b[6] === 0);
    const lookups = trace0.filter((b) => index.forest.functions[b[4]!]!.name === 'lookup_user');
    // The first two lookups overlap in time: they cannot share a row.
    expect(lookups[0]![3]).not.toBe(lookups[1]![3]);
    const root0 = trace0.find((b) => b[4] === index.forest.fnAt(index.forest.roots[0]![0]!))!;
    const root1 = bars.find((b) => b[6] === 1 && index.forest.parentAt(b[0]!) === -1)!;
    expect(root1[3]).not.toBe(root0[3]);
  });

  it('finds traces by function, by file and by trace id prefix', () => {
    expect(index.traces('parse_query', 0, 100).total).toBe(20);
    expect(index.traces('DB.PY', 0, 100).total).toBe(20);
    const one = index.traces('00000000000000000000000000000005', 0, 100);
    expect(one.items.map((t) => t.index)).toEqual([4]);
    expect(index.traces('no_such_thing', 0, 100).total).toBe(0);
  });

  it('pages the calls of one function in time order', () => {
    const fn = index.forest.functions.findIndex((f) => f.name === 'lookup_user');
    const page = index.calls(fn, 10, 5);
    expect(page.total).toBe(60);
    expect(page.items).toHaveLength(5);
    const starts = page.items.map((c) => c.start);
    expect([...starts].sort((a, b) => a - b)).toEqual(starts);
  });

  it('gives per-function figures: calls, errors and percentiles', () => {
    const handler = index.functions().find((f) => f.name === 'handle_request')!;
    expect(handler).toMatchObject({ calls: 20, errors: 2, topErrors: [{ type: 'KeyError', count: 2 }] });
    expect(handler.p50).toBe(125_000);
  });
});

describe('files written by several processes at once', () => {
  it('keeps each trace whole when the lines of two processes interleave', async () => {
    const a = path.join(dir, 'a.jsonl');
    const b = path.join(dir, 'b.jsonl');
    await writeSyntheticEvents(a, { traces: 3, lookups: 2 });
    await writeSyntheticEvents(b, { traces: 3, lookups: 2 });
    // Process b's ids differ: rename its correlation ids and trace ids, then alternate the lines.
    const left = fs.readFileSync(a, 'utf8').trimEnd().split('\n');
    const right = fs.readFileSync(b, 'utf8').trimEnd().split('\n').map((line) => line.replace(/"c0000/g, '"p0000').replace(/"trace_id":"0{8}/, '"trace_id":"ffffffff'));
    const mixed = left.flatMap((line, i) => [line, right[i]!]);
    const file = path.join(dir, 'mixed.jsonl');
    fs.writeFileSync(file, `${mixed.join('\n')}\n`);
    const mixedIndex = await ViewIndex.load([file], dir);
    expect(mixedIndex.summary()).toMatchObject({ traces: 6, calls: 24, orphans: 0, skipped: 0 });
    for (let t = 0; t < 6; t++) expect(mixedIndex.tree(t).nodes.map((n) => n.depth)).toEqual([0, 1, 1, 1]);
  });
});

describe('the view server', () => {
  it('answers the page, its API, and refuses another Host', async () => {
    const server = await serveView(index);
    try {
      const page = await fetch(server.url);
      expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(await page.text()).toContain('<script type="module" src="app.js">');
      const trace = (await (await fetch(`${server.url}api/trace?id=00000000000000000000000000000001`)).json()) as { nodes: unknown[] };
      expect(trace.nodes).toHaveLength(5);
      const foreign = await new Promise<number>((resolve, reject) => {
        const { port } = new URL(server.url);
        import('node:http').then(({ request }) =>
          request({ host: '127.0.0.1', port, path: '/api/summary', headers: { host: 'attacker.example' } }, (res) => resolve(res.statusCode!)).on('error', reject).end(),
        );
      });
      expect(foreign).toBe(403);
    } finally {
      await server.close();
    }
  });
});

describe('exports', () => {
  it('writes Chrome trace events: one complete event per call, instants for inline events', () => {
    const out = sink();
    const counts = writeChrome(index, out);
    const json = JSON.parse(out.text()) as { traceEvents: { ph: string; name: string; ts: number; dur?: number; tid: number }[] };
    const complete = json.traceEvents.filter((e) => e.ph === 'X');
    expect(complete).toHaveLength(100);
    expect(counts.inline).toBe(json.traceEvents.filter((e) => e.ph === 'i').length);
    expect(complete.every((e) => e.ts >= 0 && e.dur! > 0 && Number.isInteger(e.tid))).toBe(true);
  });

  it('writes speedscope evented profiles whose frames open and close strictly nested', () => {
    const out = sink();
    writeSpeedscope(index, out, 'events');
    const file = JSON.parse(out.text()) as {
      $schema: string;
      shared: { frames: { name: string }[] };
      profiles: { type: string; unit: string; startValue: number; endValue: number; events: { type: 'O' | 'C'; frame: number; at: number }[] }[];
    };
    expect(file.$schema).toBe('https://www.speedscope.app/file-format-schema.json');
    expect(file.profiles.length).toBeGreaterThan(1);
    let opened = 0;
    for (const profile of file.profiles) {
      expect(profile).toMatchObject({ type: 'evented', unit: 'nanoseconds' });
      const stack: number[] = [];
      let at = profile.startValue;
      for (const event of profile.events) {
        expect(event.at).toBeGreaterThanOrEqual(at);
        at = event.at;
        expect(file.shared.frames[event.frame]).toBeDefined();
        if (event.type === 'O') {
          stack.push(event.frame);
          opened++;
        } else expect(stack.pop()).toBe(event.frame);
      }
      expect(stack).toEqual([]);
      expect(at).toBeLessThanOrEqual(profile.endValue);
    }
    expect(opened).toBe(100);
  });

  it("matches speedscope's own file-format schema (the one its release ships)", () => {
    const schemaFile = path.join(path.dirname(createRequire(import.meta.url).resolve('speedscope/package.json')), 'dist/release/file-format-schema.json');
    const validate = new Ajv({ strict: false }).compile(JSON.parse(fs.readFileSync(schemaFile, 'utf8')) as object);
    const out = sink();
    writeSpeedscope(index, out, 'events');
    const valid = validate(JSON.parse(out.text()));
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
