// The batched file sink (Python and Node): events held in memory still reach TELEMETRY_FILE at
// every normal end of a program (falling off the end, sys.exit / process.exit with a code, an
// uncaught exception), 200 calls land as 400 whole lines, and a live program's events appear
// while it still runs (the time flush), not only at exit. Ids drawn in blocks stay unique.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { cleanEnv, instrumentText, readEvents, removeScratch, run, scratch, writeRuntime } from './helpers.js';

interface Case {
  lang: LanguageId;
  file: string;
  runtimeImport: string;
  /** A program calling the instrumented `step` `n` times and then ending by `how`. */
  source: (how: 'end' | 'exit' | 'throw') => string;
  command: string;
  /** A program that calls `step` once, then waits until the event is in the file it names. */
  live: string;
}

const cases: Case[] = [
  {
    lang: 'python',
    file: 'prog.py',
    runtimeImport: 'telemetry_runtime',
    source: (how) => `import sys

def step(i):
    return i * 2

for i in range(200):
    step(i)
${how === 'exit' ? 'sys.exit(3)' : how === 'throw' ? 'raise RuntimeError("boom")' : ''}
`,
    command: 'python3',
    live: `import os, sys, time

def step(i):
    return i * 2

step(1)
deadline = time.time() + 20
while time.time() < deadline:
    if os.path.exists(sys.argv[1]) and b"function_exit" in open(sys.argv[1], "rb").read():
        print("seen while running")
        break
    time.sleep(0.01)
`,
  },
  {
    lang: 'javascript',
    file: 'prog.cjs',
    runtimeImport: './telemetry-runtime.cjs',
    source: (how) => `function step(i) {
  return i * 2;
}

for (let i = 0; i < 200; i++) step(i);
${how === 'exit' ? 'process.exit(3);' : how === 'throw' ? "throw new Error('boom');" : ''}
`,
    command: 'node',
    live: `const fs = require('node:fs');
function step(i) {
  return i * 2;
}

step(1);
const deadline = Date.now() + 20000;
// telemetry: ignore
function poll() {
  if (fs.existsSync(process.argv[2]) && fs.readFileSync(process.argv[2], 'utf8').includes('function_exit')) console.log('seen while running');
  else if (Date.now() < deadline) setTimeout(poll, 10);
}
poll();
`,
  },
];

let engine: Engine;
beforeAll(async () => {
  engine = await Engine.create();
});

describe.each(cases)('the $lang batched file sink', (c) => {
  for (const how of ['end', 'exit', 'throw'] as const) {
    it(`writes every event when the program ends by ${how}`, async () => {
      const dir = scratch();
      try {
        writeRuntime(engine, c.lang, dir);
        const out = await instrumentText(engine, c.lang, c.source(how), { relPath: c.file, runtimeImport: c.runtimeImport });
        writeFileSync(join(dir, c.file), out.text);
        const file = join(dir, 'events.jsonl');
        const result = await run(c.command, [c.file], { cwd: dir, env: cleanEnv({ TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', TELEMETRY_FILE: file }) });
        expect(result.code).toBe(how === 'end' ? 0 : how === 'exit' ? 3 : 1);
        const events = readEvents(file);
        expect(events.filter((e) => e.event_type === 'function_entry')).toHaveLength(200);
        expect(events.filter((e) => e.event_type === 'function_exit').map((e) => e.return)).toEqual([...Array(200).keys()].map((i) => String(i * 2)));
        expect(readFileSync(file, 'utf8').endsWith('\n')).toBe(true);
      } finally {
        removeScratch(dir);
      }
    });
  }

  it('gives every call its own well-formed ids across the blocks they are drawn in (256 calls a block)', async () => {
    const dir = scratch();
    try {
      writeRuntime(engine, c.lang, dir);
      const out = await instrumentText(engine, c.lang, c.source('end').replace('200', '600'), { relPath: c.file, runtimeImport: c.runtimeImport });
      writeFileSync(join(dir, c.file), out.text);
      const file = join(dir, 'events.jsonl');
      await run(c.command, [c.file], { cwd: dir, env: cleanEnv({ TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', TELEMETRY_FILE: file }) });
      const entries = readEvents(file).filter((e) => e.event_type === 'function_entry');
      expect(entries).toHaveLength(600);
      for (const e of entries) {
        expect(e.correlation_id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
        expect(e.span_id).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
      }
      expect(new Set(entries.map((e) => e.correlation_id)).size).toBe(600);
      expect(new Set(entries.map((e) => e.span_id)).size).toBe(600);
      expect(new Set(entries.map((e) => e.trace_id)).size).toBe(600); // every call is a root: each its own random trace
    } finally {
      removeScratch(dir);
    }
  });

  it('writes a running program\'s events without waiting for its exit', async () => {
    const dir = scratch();
    try {
      writeRuntime(engine, c.lang, dir);
      const out = await instrumentText(engine, c.lang, c.live, { relPath: c.file, runtimeImport: c.runtimeImport });
      writeFileSync(join(dir, c.file), out.text);
      const file = join(dir, 'events.jsonl');
      const result = await run(c.command, [c.file, file], { cwd: dir, env: cleanEnv({ TELEMETRY_ENABLED: 'true', TELEMETRY_SAMPLING: 'off', TELEMETRY_FILE: file }) });
      expect(result.stdout).toBe('seen while running\n');
    } finally {
      removeScratch(dir);
    }
  });
});
