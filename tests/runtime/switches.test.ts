// Per-function switches with expiry, in every runtime: `telemetry-injector trace` writes the
// control file (TELEMETRY_CONTROL), and the deep-probe programs (fixtures/runtime/deep/) run with
// the real python3, node and go record exactly the functions it switched on, whatever DEBUG says;
// expired entries, switched-off functions, globs and a malformed file behave as the README says.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { callsOf, expectDeepWellFormed } from './deep-events.js';
import { program, rows } from './deep-programs.js';

describe.each(rows)('per-function switches in the $lang runtime', (row) => {
  const p = program(row);
  let secrets = '';
  let file = '';
  const names = (events: { event_type: string; function_name: string }[]) =>
    [...new Set(events.filter((e) => e.event_type === 'function_entry').map((e) => e.function_name))].sort();
  beforeAll(async () => {
    secrets = (await p.run(['secrets'])).stdout;
    file = p.demo[0].file;
  });

  it('records only the function `trace` switched on while telemetry is off, and lists it with the time left', async () => {
    const control = join(p.dir, 'control-on.json');
    const on = await cli(['trace', `${file}:${row.name.secrets}`, '--for', '10m', '--control', control], { cwd: p.dir });
    expect(on).toMatchObject({ code: 0, stderr: '' });
    const list = await cli(['trace', '--control', control], { cwd: p.dir });
    expect(list.stdout).toBe(`${file}:${row.name.secrets}  10 min left\n`);
    const { result, events } = await p.traced('switch-on', ['secrets'], { DEBUG: 'false', TELEMETRY_CONTROL: control });
    expect(result).toMatchObject({ code: 0, stdout: secrets, stderr: '' });
    expectDeepWellFormed(events);
    expect(names(events)).toEqual([row.name.secrets]);
    expect(callsOf(events, row.name.secrets)[0].args).toMatchObject({ password: '<redacted>' });
    const off = await cli(['trace', '--off', `${file}:${row.name.secrets}`, '--control', control], { cwd: p.dir });
    expect(off.code).toBe(0);
    expect((await p.traced('switched-off', ['secrets'], { DEBUG: 'false', TELEMETRY_CONTROL: control })).events).toEqual([]);
  });

  it('leaves arguments out with --no-args, and matches globs on the name', async () => {
    const control = join(p.dir, 'control-glob.json');
    await cli(['trace', '*ecret?', '--for', '90s', '--no-args', '--control', control], { cwd: p.dir });
    const { events } = await p.traced('switch-glob', ['secrets'], { DEBUG: 'false', TELEMETRY_CONTROL: control });
    expect(names(events)).toEqual([row.name.secrets]);
    expect(callsOf(events, row.name.secrets)[0].args).toEqual({});
  });

  it('ignores an expired entry, and lets an entry switch a function off under DEBUG=true', async () => {
    const control = join(p.dir, 'control-expired.json');
    writeFileSync(control, JSON.stringify({ [row.name.secrets]: { enabled: true, expires_at: '2020-01-01T00:00:00Z' } }));
    expect((await p.traced('switch-expired', ['secrets'], { DEBUG: 'false', TELEMETRY_CONTROL: control })).events).toEqual([]);
    writeFileSync(control, JSON.stringify({ [row.name.square]: { enabled: false } }));
    const { events } = await p.traced('switch-square-off', ['hot', '10', '5'], { DEBUG: 'true', TELEMETRY_CONTROL: control });
    expect(names(events)).not.toContain(row.name.square);
    expect(names(events)).toContain(row.name.hot);
  });

  it('writes one stderr line for a malformed control file and otherwise follows the global switch', async () => {
    const control = join(p.dir, 'control-bad.json');
    writeFileSync(control, '{"secrets": ');
    const { result, events } = await p.traced('switch-bad', ['secrets'], { DEBUG: 'true', TELEMETRY_CONTROL: control });
    expect(result.stdout).toBe(secrets);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^telemetry: ignoring malformed .*control-bad\.json/)]);
    expect(names(events)).toContain(row.name.secrets);
  });
});
