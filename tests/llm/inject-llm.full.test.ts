// End to end through the LLM path: `inject --force-llm` with the real OpenAI SDK against a loopback
// server whose "model" answers correct instrumentations (the template engine's own, or a
// hand-instrumented copy for Java and Rust). The result equals what the templates give, strips back
// byte for byte, is idempotent, behaves the same with telemetry off and on, never costs twice (the
// cache keeps adopted proposals with provenance), and no API key reaches an output, the ledger, the
// cache or the lessons.
import type { SpawnOptions } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from '../../server/src/engine/engine.js';
import { checkEventFile, expectNoEvents, expectWellFormed, type RuntimeLanguage } from '../behaviour/events.js';
import { cleanEnv, run } from '../behaviour/harness.js';
import { cli, repoRoot, type Run } from '../cli/helpers.js';
import { startOpenAiLoopback, type Loopback } from './loopback/index.js';
import { templateModel, type ModelOptions } from './propose/template-model.js';

const KEY = 'sk-test-LOOPBACK0123456789abcdefNEVERSHOWN';
const scratch: string[] = [];
let engine: Engine;

beforeAll(async () => {
  engine = await Engine.create();
  for (const l of ['python', 'javascript', 'typescript', 'go', 'java', 'rust'] as const) await engine.ready(l);
});
afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const root = mkdtempSync(path.join(tmpdir(), 'telemetry-llm-e2e-'));
  scratch.push(root);
  for (const [to, from] of Object.entries(files)) cpSync(path.join(repoRoot, from), path.join(root, to), { recursive: true });
  return root;
}

/** Every file under `root` (the cache folder aside) by relative path. */
function tree(root: string, skip = '.telemetry_cache'): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const at = path.join(dir, name);
      const rel = path.relative(root, at);
      if (rel === skip) continue;
      if (statSync(at).isDirectory()) walk(at);
      else out.set(rel, readFileSync(at, 'utf8'));
    }
  };
  walk(root);
  return out;
}

async function withModel<T>(options: ModelOptions, body: (loopback: Loopback, env: NodeJS.ProcessEnv) => Promise<T>): Promise<T> {
  const loopback = await startOpenAiLoopback({ answer: templateModel(engine, options) });
  const env = { ...cleanEnv(), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-4o-mini', LLM_BASE_URL: loopback.url, OPENAI_API_KEY: KEY };
  try {
    return await body(loopback, env);
  } finally {
    await loopback.close();
  }
}

function expectNoKey(runs: Run[], root: string): void {
  for (const r of runs) expect(`${r.stdout}${r.stderr}`).not.toContain(KEY);
  for (const [file, text] of tree(root, '')) expect(text, file).not.toContain(KEY);
}

/**
 * Builds with a toolchain, failing with its output. Not execFileSync: javac and rustc back to back
 * take tens of seconds on a loaded machine, and a worker blocked that long makes vitest's worker
 * RPC time out ('Timeout calling onTaskUpdate').
 */
async function compile(command: string, args: string[], options: SpawnOptions = {}): Promise<void> {
  const result = await run(command, args, options);
  expect(result.code, `${command} ${args.join(' ')}:\n${result.stderr}${result.stdout}`).toBe(0);
}

describe('inject --force-llm through a loopback model', () => {
  it('gives the files the templates give, strips back, is idempotent and never costs twice', async () => {
    const fixtures = { python: 'fixtures/python', javascript: 'fixtures/javascript', go: 'fixtures/go' };
    const llm = project(fixtures);
    const plain = project(fixtures);
    const original = tree(llm);
    await withModel({ root: llm }, async (loopback, env) => {
      const first = await cli(['inject', '--force-llm', '--budget', '5', '.'], { cwd: llm, env });
      expect(first.code, first.stderr).toBe(0);
      const calls = loopback.calls.length;
      expect(calls).toBeGreaterThan(40);
      // Every request asked for the answer's JSON schema (structured output).
      expect(loopback.calls.every((c) => JSON.stringify(c.schema).includes('"code"'))).toBe(true);
      const templates = await cli(['inject', '.'], { cwd: plain, env: cleanEnv() });
      expect(templates.code, templates.stderr).toBe(0);
      const got = tree(llm);
      for (const [file, text] of tree(plain)) expect(got.get(file), file).toBe(text);
      expect(first.stdout).toContain('spent $');

      // Idempotent: nothing left to add, and no call made.
      const again = await cli(['inject', '--force-llm', '.'], { cwd: llm, env });
      expect(again.stdout).toMatch(/^0 files changed/m);
      expect(loopback.calls.length).toBe(calls);

      // The same functions in a fresh copy, with the cache: planned from the cache, no call.
      const fresh = project(fixtures);
      cpSync(path.join(llm, '.telemetry_cache'), path.join(fresh, '.telemetry_cache'), { recursive: true });
      const cached = await cli(['inject', '--force-llm', '.'], { cwd: fresh, env });
      expect(cached.code, cached.stderr).toBe(0);
      expect(loopback.calls.length).toBe(calls);
      const freshTree = tree(fresh);
      for (const [file, text] of got) expect(freshTree.get(file), file).toBe(text);

      // Provenance of an adopted proposal, beside its plan.
      const cacheFiles = [...tree(llm, '').entries()].filter(([f]) => f.startsWith('.telemetry_cache'));
      const index = cacheFiles.map(([, t]) => t).find((t) => t.includes('"kind":"llm"'));
      expect(index && JSON.parse(index.split('\n')[0])).toMatchObject({
        source: { kind: 'llm', model: 'gpt-4o-mini', attempts: expect.any(Number), endpoint: expect.any(String) },
        validations: expect.arrayContaining(['reparse', 'strip-roundtrip', 'probe-calls']),
      });
      expect(cacheFiles.some(([f]) => f.endsWith('llm-ledger.jsonl'))).toBe(true);

      const stripped = await cli(['strip', '.'], { cwd: llm, env: cleanEnv() });
      expect(stripped.code, stripped.stderr).toBe(0);
      const back = tree(llm);
      for (const [file, text] of original) expect(back.get(file), file).toBe(text);
      expectNoKey([first, again, cached, stripped], llm);
    });
  }, 600_000);

  it('instruments programs that print the same with telemetry off and on, with well-formed events', async () => {
    const root = project({ 'paths.py': 'fixtures/behaviour/paths.py', 'paths.cjs': 'fixtures/behaviour/paths.cjs', go: 'fixtures/behaviour/go' });
    const plainDir = project({ 'paths.py': 'fixtures/behaviour/paths.py', 'paths.cjs': 'fixtures/behaviour/paths.cjs', go: 'fixtures/behaviour/go' });
    await withModel({ root }, async (_loopback, env) => {
      const r = await cli(['inject', '--force-llm', '.'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).not.toContain('skipped `');
    });
    const goEnv = { GOCACHE: path.join(tmpdir(), 'telemetry-behaviour-gocache'), GOFLAGS: '-mod=mod', GOPROXY: 'off', GOWORK: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0' };
    for (const dir of [root, plainDir]) await compile('go', ['build', '-o', 'prog', '.'], { cwd: path.join(dir, 'go'), env: cleanEnv(goEnv) });
    const programs: [RuntimeLanguage, (dir: string) => [string, string[], string]][] = [
      ['python', (dir) => ['python3', [path.join(dir, 'paths.py')], dir]],
      ['javascript', (dir) => [process.execPath, [path.join(dir, 'paths.cjs')], dir]],
      ['go', (dir) => [path.join(dir, 'go', 'prog'), [], path.join(dir, 'go')]],
    ];
    for (const [lang, argv] of programs) {
      const exec = (dir: string, extra: Record<string, string>) => {
        const [cmd, args, cwd] = argv(dir);
        return run(cmd, args, { cwd, env: cleanEnv({ PYTHONDONTWRITEBYTECODE: '1', ...extra }) });
      };
      const off = path.join(root, `${lang}-off.jsonl`);
      const on = path.join(root, `${lang}-on.jsonl`);
      const plain = await exec(plainDir, {});
      expect(plain, lang).toMatchObject({ code: 0, stderr: '' });
      expect(await exec(root, { DEBUG: 'true', TELEMETRY_ENABLED: 'false', TELEMETRY_FILE: off }), lang).toMatchObject({ code: 0, stdout: plain.stdout, stderr: '' });
      expect(await exec(root, { TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: on }), lang).toMatchObject({ code: 0, stdout: plain.stdout, stderr: '' });
      expectNoEvents(off, `${lang}, off`);
      const summary = await checkEventFile(on, lang);
      expectWellFormed(summary, `${lang} through the LLM`);
    }
  }, 600_000);

  it('instruments Java and Rust, which have no templates: they compile, run the same off and on, and strip back', async () => {
    const root = project({ 'Calc.java': 'fixtures/java/Calc.java', 'main.rs': 'fixtures/rust/main.rs' });
    const hand = {
      'Calc.java': readFileSync(path.join(repoRoot, 'fixtures/java/instrumented/Calc.java'), 'utf8'),
      'main.rs': readFileSync(path.join(repoRoot, 'fixtures/rust/instrumented/main.rs'), 'utf8'),
    };
    const original = tree(root);
    await withModel({ root, handInstrumented: hand }, async (loopback, env) => {
      // No --force-llm: languages without templates go to the LLM by themselves.
      const r = await cli(['inject', '.'], { cwd: root, env });
      expect(r.code, r.stderr).toBe(0);
      expect(loopback.calls.length).toBeGreaterThan(0);
      expect(readFileSync(path.join(root, 'Calc.java'), 'utf8')).toBe(hand['Calc.java']);
      expect(readFileSync(path.join(root, 'main.rs'), 'utf8')).toBe(hand['main.rs']);
      expectNoKey([r], root);
    });
    const files = tree(root);
    const javaRuntime = [...files.keys()].filter((f) => f.endsWith('Telemetry.java')).map((f) => path.join(root, f));
    const rustRuntime = [...files.keys()].filter((f) => f.endsWith('telemetry_runtime.rs'));
    expect(javaRuntime.length).toBe(1);
    expect(rustRuntime.length).toBe(1);
    const build = path.join(root, 'build');
    mkdirSync(build);
    await compile('javac', ['-nowarn', '-d', path.join(build, 'java'), path.join(root, 'Calc.java'), ...javaRuntime]);
    await compile('rustc', ['--edition', '2021', '-A', 'warnings', '-o', path.join(build, 'calc-rs'), path.join(root, 'main.rs')]);
    const plainBuild = path.join(root, 'plain');
    mkdirSync(plainBuild);
    const plainRoot = project({ 'Calc.java': 'fixtures/java/Calc.java', 'main.rs': 'fixtures/rust/main.rs' });
    cpSync(path.join(root, rustRuntime[0]), path.join(plainRoot, rustRuntime[0]));
    await compile('javac', ['-nowarn', '-d', path.join(plainBuild, 'java'), path.join(plainRoot, 'Calc.java'), ...javaRuntime]);
    await compile('rustc', ['--edition', '2021', '-A', 'warnings', '-o', path.join(plainBuild, 'calc-rs'), path.join(plainRoot, 'main.rs')]);
    const javaMain = /^package\s+([\w.]+);/m.exec(hand['Calc.java'])![1];
    for (const [label, argv] of [
      ['java', (dir: string) => ['java', ['-cp', path.join(dir, 'java'), `${javaMain}.Calc`]]],
      ['rust', (dir: string) => [path.join(dir, 'calc-rs'), []]],
    ] as const) {
      const exec = (dir: string, extra: Record<string, string>) => {
        const [cmd, args] = argv(dir) as [string, string[]];
        return run(cmd, args, { cwd: root, env: cleanEnv(extra) });
      };
      const events = path.join(root, `${label}-on.jsonl`);
      const plain = await exec(plainBuild, {});
      expect(plain.code, plain.stderr).toBe(0);
      expect(await exec(build, { TELEMETRY_ENABLED: 'false' }), label).toMatchObject({ code: 0, stdout: plain.stdout });
      expect(await exec(build, { TELEMETRY_ENABLED: 'true', TELEMETRY_FILE: events }), label).toMatchObject({ code: 0, stdout: plain.stdout });
      const lines = readFileSync(events, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { event_type: string });
      const entries = lines.filter((e) => e.event_type === 'function_entry').length;
      expect(entries, label).toBeGreaterThan(3);
      expect(lines.filter((e) => e.event_type === 'function_exit').length, label).toBe(entries);
    }
    const stripped = await cli(['strip', 'Calc.java', 'main.rs'], { cwd: root, env: cleanEnv() });
    expect(stripped.code, stripped.stderr).toBe(0);
    for (const f of ['Calc.java', 'main.rs']) expect(readFileSync(path.join(root, f), 'utf8'), f).toBe(original.get(f));
  }, 600_000);
});
