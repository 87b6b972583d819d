// One-line minified files, as many node_modules bundles are: `"use strict";` and the whole program
// on one line. Instrumented with the real engine and run with the real node, telemetry on and off:
// the runtime import must be in place before any code on that line calls a probed function.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { cleanEnv, entries, expectWellFormed, instrumentText, readEvents, removeScratch, run, scratch, writeRuntime } from './helpers.js';

// Load-time calls of every kind a bundle makes: a function expression, a declaration, an IIFE.
const BODY = 'var a=function(x){return x+1};function f(n){return a(n)*2}(function(){console.log(f(1),f(2))})();';
const PROGRAMS = [
  { kind: 'a CommonJS bundle with "use strict"', file: 'bundle.cjs', text: `"use strict";${BODY}\n`, esm: false },
  { kind: 'a CommonJS bundle with no final line break', file: 'bare.cjs', text: `"use strict";${BODY}`, esm: false },
  { kind: 'a script with a shebang line before the directive line', file: 'cli.cjs', text: `#!/usr/bin/env node\n"use strict";${BODY}\n`, esm: false },
  // Import declarations are hoisted, so an ES module ran even with the import at the end of the
  // file; it now gets the import at the same place as a script, and must keep running.
  { kind: 'an ES module', file: 'bundle.mjs', text: `"use strict";export ${BODY}\n`, esm: true },
] as const;

let dir: string;
let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  dir = scratch();
  writeRuntime(engine, 'javascript', dir);
}, 60_000);
afterAll(() => removeScratch(dir));

describe.each(PROGRAMS)('$kind on one line', ({ file, text, esm }) => {
  const instrument = async () => {
    const out = await instrumentText(engine, 'javascript', text, { relPath: file, runtimeImport: './telemetry-runtime.cjs', esm });
    writeFileSync(join(dir, file), out.text);
    return out;
  };

  it('runs with DEBUG=true, printing what it printed before, and writes a balanced event stream', async () => {
    writeFileSync(join(dir, `plain-${file}`), text);
    const plain = await run(process.execPath, [`plain-${file}`], { cwd: dir, env: cleanEnv() });
    expect(plain).toMatchObject({ code: 0, stdout: '4 6\n', stderr: '' });
    const out = await instrument();
    expect(out.added).toEqual(['a', 'f', '<anonymous>']);
    const events = join(dir, `${file}.jsonl`);
    const result = await run(process.execPath, [file], { cwd: dir, env: cleanEnv({ DEBUG: 'true', TELEMETRY_FILE: events }) });
    expect(result).toMatchObject({ code: 0, stdout: '4 6\n', stderr: '' });
    const written = readEvents(events);
    expectWellFormed(written);
    expect(entries(written).map((e) => e.function_name)).toEqual(['<anonymous>', 'f', 'a', 'f', 'a']);
  });

  it('runs with telemetry off', async () => {
    await instrument();
    const result = await run(process.execPath, [file], { cwd: dir, env: cleanEnv() });
    expect(result).toMatchObject({ code: 0, stdout: '4 6\n', stderr: '' });
  });

  it('strips back to the original byte for byte, and a second add changes nothing', async () => {
    const out = await instrument();
    expect(engine.strip('javascript', out.text).text).toBe(text);
    expect(engine.add('javascript', out.text, { relPath: file, runtimeImport: './telemetry-runtime.cjs', esm }).changes).toEqual([]);
  });
});
