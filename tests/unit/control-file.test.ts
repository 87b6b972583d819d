// The control file as the CLI and the editor read and write it (server/src/workspace/control-file.ts):
// which entry a function matches is the runtimes' rule, writes drop expired entries and keep others.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { controlFilePath, entryFor, liveEntries, MalformedControlFile, readControlFile, switchedOff, switchedOn, writeControlFile } from '../../server/src/workspace/control-file.js';

const on = { enabled: true };

describe('the control file', () => {
  it('matches a function as the runtimes do: an exact id or name first, then a glob, then "*"', () => {
    const entries = { '*': { enabled: false }, 'app.py:pa*': on, 'other.py:parse': on, parse: { enabled: false } };
    expect(entryFor(entries, 'app.py', 'parse')?.key).toBe('parse');
    // Among exact keys the file's order decides, as in the runtimes.
    expect(entryFor(entries, 'other.py', 'parse')?.key).toBe('other.py:parse');
    expect(entryFor({ parse: on, 'other.py:parse': on }, 'other.py', 'parse')?.key).toBe('parse');
    expect(entryFor(entries, 'app.py', 'pack')?.key).toBe('app.py:pa*');
    expect(entryFor(entries, 'lib.py', 'pack')?.key).toBe('*');
    expect(entryFor({ 'gre?t': on }, 'a.py', 'greet')?.key).toBe('gre?t');
    expect(entryFor({ 'gre?t': on }, 'a.py', 'grt')).toBeUndefined();
    expect(entryFor({ 'a.b': on }, 'x.py', 'aXb')).toBeUndefined(); // a dot is a dot, not a pattern
  });

  it('drops expired entries when it switches one on or off, and leaves the others alone', () => {
    const now = Date.parse('2026-01-01T10:00:00Z');
    const entries = { old: { enabled: true, expires_at: '2026-01-01T09:00:00Z' }, kept: { enabled: false }, soon: { enabled: true, expires_at: '2026-01-01T10:05:00Z' } };
    expect(switchedOn(entries, 'new', 600_000, { capture_args: false }, now)).toEqual({
      kept: { enabled: false },
      soon: entries.soon,
      new: { enabled: true, expires_at: '2026-01-01T10:10:00Z', capture_args: false },
    });
    expect(switchedOff(entries, 'soon', now)).toEqual({ kept: { enabled: false } });
    expect(switchedOff(entries, undefined, now)).toEqual({});
    expect(Object.keys(liveEntries(entries, now))).toEqual(['kept', 'soon']);
  });

  it('reads a missing file as empty, refuses one that is not a JSON object, and writes atomically', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-control-'));
    try {
      const file = path.join(dir, 'nested', 'control.json');
      expect(readControlFile(file)).toEqual({});
      writeControlFile(file, { f: on });
      expect(readControlFile(file)).toEqual({ f: on });
      expect(fs.readdirSync(path.dirname(file))).toEqual(['control.json']);
      fs.writeFileSync(file, '[1]');
      expect(() => readControlFile(file)).toThrow(MalformedControlFile);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is TELEMETRY_CONTROL when set, else .telemetry/control.json in the runtime folder', () => {
    expect(controlFilePath('/w', '/w/lib', {})).toBe(path.resolve('/w/lib/.telemetry/control.json'));
    expect(controlFilePath('/w', '/w/lib', { TELEMETRY_CONTROL: 'ctl.json' })).toBe(path.resolve('/w/ctl.json'));
  });
});
