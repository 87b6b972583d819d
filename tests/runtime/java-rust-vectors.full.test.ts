// The Java and Rust runtimes agree with the contract's test vectors they implement: how DEBUG and
// TELEMETRY_ENABLED switch events on (env.enabled), and which names TELEMETRY_REDACT redacts
// (redaction.names). Each driver (tests/runtime/vectors/) answers with the runtime's own functions,
// built by the real javac and rustc. Full tier: javac alone takes seconds.
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeVectors as vectors } from '../../protocol/events.js';
import { cleanEnv, repoRoot } from './helpers.js';

const DRIVERS = join(repoRoot, 'tests/runtime/vectors');
const runtime = (lang: string, file: string) => join(repoRoot, 'server/languages', lang, 'runtime', file);

const field = (v: string | null | undefined) => (v === null || v === undefined ? '\\N' : v);
const input = [
  ...vectors.env.enabled.map((c) => `enabled\t${field(c.env.DEBUG)}\t${field(c.env.TELEMETRY_ENABLED)}`),
  ...vectors.redaction.names.map((c) => `redact\t${field(c.pattern)}\t${c.name}`),
].join('\n') + '\n';
/** Java previews follow the shared syntax; Rust's are `{:?}` (README), so only Java answers these. */
const previews = vectors.preview.cases.filter((c) => !('languages' in c) || (c.languages as string[]).includes('java'));
const javaInput = input + previews.map((c) => `preview\t${JSON.stringify(c.value)}`).join('\n') + '\n';

const drivers = {
  java(dir: string): string[] {
    mkdirSync(join(dir, 'out'));
    execFileSync('javac', ['-nowarn', '-proc:none', '-d', join(dir, 'out'), join(DRIVERS, 'Vectors.java'), runtime('java', 'Telemetry.java')]);
    return ['java', '-cp', join(dir, 'out'), '_tm.Vectors'];
  },
  rust(dir: string): string[] {
    copyFileSync(join(DRIVERS, 'vectors.rs'), join(dir, 'vectors.rs'));
    copyFileSync(runtime('rust', 'telemetry_runtime.rs'), join(dir, 'telemetry_runtime.rs'));
    execFileSync('rustc', ['--edition', '2021', '-A', 'warnings', '-o', join(dir, 'vectors'), join(dir, 'vectors.rs')]);
    return [join(dir, 'vectors')];
  },
};

describe.each(['java', 'rust'] as const)('the %s runtime answers the contract test vectors it implements', (lang) => {
  let dir: string;
  let answers: boolean[];
  let lines: string[];
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), `telemetry-vectors-${lang}-`));
    const [command, ...args] = drivers[lang](dir);
    const out = execFileSync(command!, args, { input: lang === 'java' ? javaInput : input, env: cleanEnv(), encoding: 'utf8' });
    lines = out.replace(/\n$/, '').split('\n');
    answers = lines.map((l) => l === 'true');
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads DEBUG and TELEMETRY_ENABLED as the vectors say', () => {
    vectors.env.enabled.forEach((c, i) => expect(answers[i], JSON.stringify(c.env)).toBe(c.expect));
  });

  it('redacts the names the vectors say, a pattern that does not compile redacting everything', () => {
    const offset = vectors.env.enabled.length;
    vectors.redaction.names.forEach((c, i) => expect(answers[offset + i], `${c.pattern} ${c.name}`).toBe(c.expect));
  });

  it.runIf(lang === 'java')('previews values in the one preview syntax: quoting, limits, depth, secret keys', () => {
    const offset = vectors.env.enabled.length + vectors.redaction.names.length;
    previews.forEach((c, i) => {
      const expected = typeof c.expect === 'string' ? c.expect : (c.expect as Record<string, string>).java;
      expect(lines[offset + i], JSON.stringify(c.value).slice(0, 80)).toBe(expected);
    });
  });
});
