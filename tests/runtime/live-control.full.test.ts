// A running program picks up the control file without a restart, in real python3, node and go:
// switched on with `telemetry-injector trace`, one function's events appear within about a second
// while telemetry is otherwise off; when the entry expires they stop; a malformed control file
// is reported once per change on stderr while the last good switches stay in force.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import type { LanguageId } from '../../server/src/engine/types.js';
import { cli } from '../cli/helpers.js';
import { cleanEnv, fixturePath, GO_ENV, instrumentFixture, removeScratch, run, scratch, writeRuntime } from './helpers.js';
import { LiveProgram } from './live-program.js';

interface Row {
  lang: LanguageId;
  file: string;
  fn: string;
  build(dir: string, engine: Engine): Promise<void>;
  command(dir: string): [string, string[]];
}

const rows: Row[] = [
  {
    lang: 'python',
    file: 'live.py',
    fn: 'tick',
    async build(dir, engine) {
      writeRuntime(engine, 'python', dir);
      await instrumentFixture(engine, 'python', 'live/live.py', dir, { runtimeImport: 'telemetry_runtime' });
    },
    command: () => ['python3', ['-u', 'live.py']],
  },
  {
    lang: 'javascript',
    file: 'live.cjs',
    fn: 'tick',
    async build(dir, engine) {
      writeRuntime(engine, 'javascript', dir);
      await instrumentFixture(engine, 'javascript', 'live/live.cjs', dir, { runtimeImport: './telemetry-runtime.cjs', esm: false });
    },
    command: () => [process.execPath, ['live.cjs']],
  },
  {
    lang: 'go',
    file: 'live.go',
    fn: 'Tick',
    async build(dir, engine) {
      writeFileSync(join(dir, 'go.mod'), readFileSync(fixturePath('go/go.mod')));
      writeRuntime(engine, 'go', dir);
      await instrumentFixture(engine, 'go', 'live/live.go', dir, { runtimeImport: 'example.com/rt/telemetry' });
      const build = await run('go', ['build', '-o', 'live', '.'], { cwd: dir, env: cleanEnv(GO_ENV) });
      expect(build, build.stderr).toMatchObject({ code: 0 });
    },
    command: (dir) => [join(dir, 'live'), []],
  },
];

describe.each(rows)('the $lang runtime picks up the control file while running', (row) => {
  let dir = '';
  let engine: Engine;
  beforeAll(async () => {
    engine = await Engine.create();
    dir = scratch();
    await row.build(dir, engine);
  }, 300_000);
  afterAll(() => removeScratch(dir));

  const start = (label: string) => {
    const [command, args] = row.command(dir);
    const control = join(dir, `${label}-control.json`);
    const events = join(dir, `${label}.jsonl`);
    // TELEMETRY_SAMPLING=off: every call is recorded while switched on, so the last one marks the switch-off.
    const env = { DEBUG: 'false', TELEMETRY_SAMPLING: 'off', TELEMETRY_CONTROL: control, TELEMETRY_FILE: events, PYTHONDONTWRITEBYTECODE: '1' };
    return { program: new LiveProgram(command, args, dir, env, events), control };
  };
  const calls = (program: LiveProgram) => program.read().filter((e) => e.event_type === 'function_entry');

  it('records a function within about a second of `trace` switching it on, and stops when the entry expires', async () => {
    const { program, control } = start('on-then-expired');
    try {
      await program.until('the program to start', () => program.lines.some((l) => l.text === 'ready'));
      await program.printedAfter(Date.now()); // running its loop, telemetry off
      // 6 s: the program must pick the entry up before it expires, and a loaded machine can delay the
      // runtime's once-a-second check by seconds; the log line below reports how long it took.
      const on = await cli(['trace', `${row.file}:${row.fn}`, '--for', '6s', '--control', control], { cwd: dir });
      expect(on.code).toBe(0);
      const switched = statSync(control).mtimeMs;
      const expiresAt = Date.parse(JSON.parse(readFileSync(control, 'utf8'))[`${row.file}:${row.fn}`].expires_at);
      const first = await program.until('the first traced call', () => calls(program)[0]);
      const pickupMs = first.timestamp_ns / 1e6 - switched;
      // Five polls after the expiry, the program is still printing: the switch had its chance to turn off
      // (the last call came 0.2 to 0.8 s after the expiry at load 13; two polls left too little room).
      const late = await program.printedAfter(expiresAt + 5_000);
      const recorded = calls(program);
      expect(new Set(recorded.map((e) => e.function_name))).toEqual(new Set([row.fn]));
      expect(recorded.length).toBeGreaterThan(1);
      const lastCall = Math.max(...recorded.map((e) => e.timestamp_ns / 1e6));
      expect(lastCall).toBeLessThan(late);
      // The calls printed after the last recorded one kept running untraced.
      const lastArg = Number(recorded.at(-1)!.args!.i);
      expect(program.lines.filter((l) => /^\d+$/.test(l.text) && Number(l.text) > lastArg).length).toBeGreaterThan(5);
      expect(await program.stop()).toBe(0);
      expect(program.stderr).toBe('');
      console.log(`${row.lang}: picked up ${Math.round(pickupMs)} ms after the write; last call ${Math.round(lastCall - expiresAt)} ms after the expiry`);
    } finally {
      await program.stop();
    }
  });

  it('keeps the last good switches through a malformed control file, with one stderr line per change of the file', async () => {
    const { program, control } = start('malformed');
    try {
      await program.until('the program to start', () => program.lines.some((l) => l.text === 'ready'));
      await cli(['trace', `${row.file}:${row.fn}`, '--for', '10m', '--control', control], { cwd: dir });
      await program.until('the first traced call', () => calls(program)[0]);
      const warnings = () => program.stderr.split('\n').filter((l) => l.startsWith('telemetry: ignoring malformed'));
      writeFileSync(control, '{"tick": ');
      const broken = Date.now();
      await program.until('one warning', () => warnings().length === 1);
      // Two more polls of the unchanged file: no second warning, and the function is still traced.
      const later = await program.printedAfter(Date.now() + 2_200);
      await program.until('a traced call after the file broke', () => calls(program).some((e) => e.timestamp_ns / 1e6 > broken + 1_500));
      expect(warnings()).toHaveLength(1);
      writeFileSync(control, '[1, 2');
      await program.until('a second warning for the second change', () => warnings().length === 2);
      expect(calls(program).some((e) => e.timestamp_ns / 1e6 > later)).toBe(true);
      expect(await program.stop()).toBe(0);
      expect(program.stderr.trim().split('\n')).toEqual(warnings());
    } finally {
      await program.stop();
    }
  });
});
