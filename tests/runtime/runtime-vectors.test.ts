// The runtimes agree on the contract's data: each runtime's own driver (tests/runtime/vectors/)
// answers every case of protocol/runtime-vectors.json with the runtime's real functions, run by
// the real python3, node and go, and each answer is compared here with the expected one.
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runtimeVectors as vectors, type RuntimeLanguage } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import { DEFAULT_REDACT } from '../../server/src/engine/types.js';
import { cleanEnv, GO_ENV, removeScratch, repoRoot, run, runtimeDir, scratch, writeRuntime } from './helpers.js';

const VECTORS = join(repoRoot, 'protocol/runtime-vectors.json');
const DRIVERS = join(repoRoot, 'tests/runtime/vectors');
const LANGUAGES: RuntimeLanguage[] = ['python', 'javascript', 'go'];

interface Answers {
  enabled: boolean[];
  loop_events: (number | null)[];
  sampling: unknown[];
  trace: boolean[];
  loop: boolean[];
  calls: boolean[][];
  names: boolean[];
  keys: boolean[];
  preview: string[];
  unrepresentable: unknown[];
}

/** Runs one runtime's driver and returns its answers. */
async function answers(lang: RuntimeLanguage, dir: string): Promise<Answers> {
  if (lang === 'python') {
    const result = await run('python3', [join(DRIVERS, 'vectors.py'), runtimeDir('python'), VECTORS], {
      cwd: dir,
      env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1' }),
    });
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  }
  if (lang === 'javascript') {
    const runtime = join(runtimeDir('javascript'), 'telemetry-runtime.cjs');
    const result = await run(process.execPath, [join(DRIVERS, 'vectors.cjs'), runtime, VECTORS], { cwd: dir, env: cleanEnv() });
    expect(result, result.stderr).toMatchObject({ code: 0, stderr: '' });
    return JSON.parse(result.stdout);
  }
  writeFileSync(join(dir, 'go.mod'), 'module example.com/vectors\n\ngo 1.19\n');
  writeRuntime(await Engine.create(), 'go', dir);
  copyFileSync(join(DRIVERS, 'vectors_internal_test.go'), join(dir, 'telemetry/vectors_internal_test.go'));
  const out = join(dir, 'answers.json');
  const result = await run('go', ['test', '-count=1', '-run', 'TestAnswerVectors', './telemetry'], {
    cwd: dir,
    env: cleanEnv({ ...GO_ENV, VECTORS, VECTORS_OUT: out }),
  });
  expect(result, result.stdout + result.stderr).toMatchObject({ code: 0 });
  return JSON.parse(readFileSync(out, 'utf8'));
}

describe.each(LANGUAGES)('the %s runtime answers the contract test vectors', (lang) => {
  let dir: string;
  let got: Answers;
  beforeAll(async () => {
    dir = scratch();
    got = await answers(lang, dir);
  }, 180_000);
  afterAll(() => removeScratch(dir));

  it('reads DEBUG and TELEMETRY_ENABLED as the vectors say', () => {
    vectors.env.enabled.forEach((c, i) => expect(got.enabled[i], JSON.stringify(c.env)).toBe(c.expect));
  });

  it('reads TELEMETRY_LOOP_EVENTS, malformed values (-5, +4, 1e3) falling back to the default', () => {
    vectors.env.loop_events.forEach((c, i) => expect(got.loop_events[i], JSON.stringify(c.value)).toBe(c.expect));
  });

  it('reads TELEMETRY_SAMPLING, OTEL_TRACES_SAMPLER/_ARG and the call limits, malformed values falling back to the defaults', () => {
    vectors.env.sampling.forEach((c, i) => expect(got.sampling[i], JSON.stringify(c.env)).toEqual(c.expect));
  });

  it('keeps or drops a root trace by its id as the OTel trace-id ratio rule says', () => {
    vectors.sampling.trace.forEach((c, i) => expect(got.trace[i], `${c.sampler} ${c.ratio} ${c.trace_id}`).toBe(c.keep));
  });

  it('keeps events inside a loop for the first iterations and the powers of two', () => {
    vectors.sampling.loop.forEach((c, i) => expect(got.loop[i], `limit ${c.limit}, n ${c.n}`).toBe(c.keep));
  });

  it("keeps a function's first calls, then at most the per-second limit", () => {
    vectors.sampling.calls.forEach((c, i) => expect(got.calls[i], JSON.stringify(c)).toEqual(c.keep));
  });

  it('redacts the same names, and the same keys inside values', () => {
    vectors.redaction.names.forEach((c, i) => expect(got.names[i], `${c.pattern} ${c.name}`).toBe(c.expect));
    vectors.redaction.keys.forEach((c, i) => expect(got.keys[i], `${c.pattern} ${c.name}`).toBe(c.expect));
  });

  it('previews every value in the one canonical syntax, within the limits', () => {
    vectors.preview.cases.forEach((c, i) => expect(got.preview[i], JSON.stringify(c.value).slice(0, 80)).toBe(c.expect));
  });

  it('shows <unrepresentable TYPE> for what it cannot read', () => {
    vectors.preview.unrepresentable.forEach((c, i) => {
      if (!(c.languages as string[]).includes(lang)) return;
      expect(got.unrepresentable[i], c.what).toEqual((c.expect as Record<string, unknown>)[lang]);
    });
  });
});

it("the vectors' default redaction pattern is the engine's DEFAULT_REDACT", () => {
  expect(vectors.constants.default_redact).toBe(DEFAULT_REDACT);
});
