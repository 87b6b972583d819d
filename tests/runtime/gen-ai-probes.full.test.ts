// LLM-call-aware probes: real programs call the loopback servers (tests/llm/loopback/) speaking the
// OpenAI, Anthropic and Ollama wire protocols through the real SDKs (Python: openai, anthropic and
// ollama from PyPI; Node: openai, @anthropic-ai/sdk and ollama from npm; Go: an Ollama-shaped
// response decoded into a struct and a map, and structs shaped like openai-go's and anthropic's),
// instrumented by the real engine. The enabled probes put a gen_ai object on the return value's
// function_exit or the variable's variable_change; `metrics --events` prices and counts the calls.
import { Ajv } from 'ajv';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSchema, GEN_AI_KEYS, type TelemetryEvent } from '../../protocol/events.js';
import { Engine } from '../../server/src/engine/engine.js';
import { Prices } from '../../server/src/llm/prices.js';
import { cli } from '../cli/helpers.js';
import { cleanEnv, expectWellFormed, fixturePath, GO_ENV, instrumentFixture, readEvents, removeScratch, repoRoot, run, scratch, writeRuntime } from './helpers.js';
import { startWire, WIRE, type Wire } from './llm-wire.js';

const validate = new Ajv({ allErrors: true, strict: false }).compile(eventSchema);

/** Where .ci/run installs the pinned Python SDKs (tests/runtime/python-llm-sdks.txt). */
const pins = readFileSync(join(repoRoot, 'tests/runtime/python-llm-sdks.txt'), 'utf8').trim().split('\n');
const PY_SDKS = join(homedir(), '.cache/telemetry-injector', `py-llm-sdks-${pins.map((p) => p.replace('==', '-')).join('-')}`);

type Provider = keyof typeof WIRE;
const expected = (provider: Provider) => ({
  'gen_ai.provider.name': provider,
  'gen_ai.request.model': null,
  'gen_ai.response.model': WIRE[provider].model,
  'gen_ai.usage.input_tokens': WIRE[provider].input,
  'gen_ai.usage.output_tokens': WIRE[provider].output,
  'gen_ai.response.finish_reasons': [WIRE[provider].finish],
});

const exitOf = (events: TelemetryEvent[], name: string) => events.filter((e) => e.event_type === 'function_exit' && e.function_name === name);
const varOf = (events: TelemetryEvent[], fn: string, variable: string) =>
  events.filter((e) => e.event_type === 'variable_change' && e.function_name === fn && e.variable === variable);

function expectValid(events: TelemetryEvent[]): void {
  expectWellFormed(events);
  for (const e of events) expect(validate(e) ? [] : validate.errors, JSON.stringify(e).slice(0, 300)).toEqual([]);
  for (const e of events.filter((e) => e.gen_ai)) expect(Object.keys(e.gen_ai!)).toEqual([...GEN_AI_KEYS]);
}

interface Program {
  run(env: Record<string, string>): ReturnType<typeof run>;
}

let wire: Wire;
let dir: string;
const programs = {} as Record<'python' | 'javascript' | 'go', Program>;
const stdout = {
  python: 'openai hello from openai\nanthropic hello from anthropic\nollama hello from ollama\nollama sdk hello from ollama\nbroken 500\nplain gpt-4o-mini\n',
  javascript: 'openai hello from openai\nanthropic hello from anthropic\nollama hello from ollama\nbroken 500\nplain gpt-4o-mini\n',
  go: 'ollama hello from ollama <nil>\nollama map llama3.2:3b <nil>\nplain gpt-4o-mini\nshapes gpt-4o-mini-2024-07-18 claude-haiku-4-5-20251001\n',
};

beforeAll(async () => {
  if (!existsSync(join(PY_SDKS, '.complete'))) {
    throw new Error(`the Python openai and anthropic SDKs are not in ${PY_SDKS}: run bash .ci/run (or its pip install --target step)`);
  }
  wire = await startWire();
  const engine = await Engine.create();
  dir = scratch();
  await instrumentFixture(engine, 'python', 'llm/llm_calls.py', dir, { runtimeImport: 'telemetry_runtime' });
  writeRuntime(engine, 'python', dir);
  await instrumentFixture(engine, 'javascript', 'llm/llm-calls.cjs', dir, { runtimeImport: './telemetry-runtime.cjs' });
  writeRuntime(engine, 'javascript', dir);
  const goDir = join(dir, 'go');
  mkdirSync(goDir);
  await instrumentFixture(engine, 'go', 'llm/main.go', goDir, { runtimeImport: 'example.com/llm/telemetry' });
  writeRuntime(engine, 'go', goDir);
  const gomod = readFileSync(fixturePath('llm/go.mod'), 'utf8');
  writeFileSync(join(goDir, 'go.mod'), gomod);
  const build = await run('go', ['build', '-o', 'prog', '.'], { cwd: goDir, env: cleanEnv(GO_ENV) });
  expect(build, build.stderr).toMatchObject({ code: 0 });

  const base = wire.env;
  programs.python = {
    run: (env) => run('python3', ['llm_calls.py'], { cwd: dir, env: cleanEnv({ ...base, ...env, PYTHONPATH: `${dir}:${PY_SDKS}`, PYTHONDONTWRITEBYTECODE: '1' }) }),
  };
  programs.javascript = {
    run: (env) => run(process.execPath, ['llm-calls.cjs'], { cwd: dir, env: cleanEnv({ ...base, ...env, NODE_PATH: join(repoRoot, 'node_modules') }) }),
  };
  programs.go = { run: (env) => run(join(goDir, 'prog'), [], { cwd: goDir, env: cleanEnv({ ...base, ...env }) }) };
}, 300_000);
afterAll(async () => {
  await wire?.close();
  removeScratch(dir);
});

let runs = 0;
async function eventsOf(lang: 'python' | 'javascript' | 'go'): Promise<{ file: string; events: TelemetryEvent[] }> {
  const file = join(dir, `${lang}-events-${++runs}.jsonl`);
  const result = await programs[lang].run({ DEBUG: 'true', TELEMETRY_FILE: file });
  expect(result, result.stderr).toMatchObject({ code: 0, stdout: stdout[lang] });
  const events = readEvents(file);
  expectValid(events);
  return { file, events };
}

describe('LLM-call-aware probes', () => {
  it.each(['python', 'javascript', 'go'] as const)('write no event and read nothing in %s while telemetry is off, and the program prints the same', async (lang) => {
    const file = join(dir, `${lang}-off.jsonl`);
    const before = wire.calls();
    const result = await programs[lang].run({ TELEMETRY_FILE: file });
    expect(result, result.stderr).toMatchObject({ code: 0, stdout: stdout[lang], stderr: '' });
    expect(existsSync(file)).toBe(false);
    expect(wire.calls() - before).toBe({ python: 5, javascript: 4, go: 2 }[lang]);
  });

  it('record gen_ai from the Python SDKs\' response objects: a returned ChatCompletion, an Anthropic Message held in a variable, an Ollama reply', async () => {
    const { events } = await eventsOf('python');
    expect(exitOf(events, 'ask_openai')[0]!.gen_ai).toEqual(expected('openai'));
    expect(varOf(events, 'ask_anthropic', 'message')[0]!.gen_ai).toEqual(expected('anthropic'));
    expect(varOf(events, 'ask_ollama', 'reply')[0]!.gen_ai).toEqual(expected('ollama'));
    expect(varOf(events, 'ask_ollama_sdk', 'reply')[0]!.gen_ai).toEqual(expected('ollama'));
    // The same response seen again in the caller's variable.
    expect(varOf(events, 'main', 'reply')[0]!.gen_ai).toEqual(expected('openai'));
    expect(exitOf(events, 'ask_broken')[0]).toMatchObject({ error: { type: 'InternalServerError' } });
    expect(exitOf(events, 'ask_broken')[0]!.gen_ai).toBeUndefined();
    expect(events.filter((e) => e.function_name === 'not_an_llm_call' && e.gen_ai)).toEqual([]);
    expect(events.filter((e) => e.gen_ai)).toHaveLength(5);
  });

  it('record gen_ai from the Node SDKs\' responses: awaited into a variable, and returned awaited', async () => {
    const { events } = await eventsOf('javascript');
    expect(varOf(events, 'askOpenai', 'reply')[0]!.gen_ai).toEqual(expected('openai'));
    expect(exitOf(events, 'askOpenai')[0]!.gen_ai).toEqual(expected('openai'));
    expect(exitOf(events, 'askAnthropic')[0]!.gen_ai).toEqual(expected('anthropic'));
    expect(varOf(events, 'askOllama', 'reply')[0]!.gen_ai).toEqual(expected('ollama'));
    // openai-node's errors are named Error: a failed call counts through its function, which made calls before.
    expect(exitOf(events, 'askOpenai')[1]).toMatchObject({ error: { type: 'Error', message: expect.stringMatching(/^500 /) } });
    expect(events.filter((e) => e.function_name === 'notAnLlmCall' && e.gen_ai)).toEqual([]);
  });

  it('record gen_ai in Go from an Ollama-shaped struct and from the JSON decoded into a map, but not from a zero value', async () => {
    const { events } = await eventsOf('go');
    expect(varOf(events, 'AskOllama', 'reply')[0]!.gen_ai).toEqual(expected('ollama'));
    expect(varOf(events, 'AskOllamaMap', 'decoded')[0]!.gen_ai).toEqual(expected('ollama'));
    expect(varOf(events, 'decode', 'r')[0]?.gen_ai).toBeUndefined();
    expect(events.filter((e) => e.function_name === 'NotAnLLMCall' && e.gen_ai)).toEqual([]);
    // Structs shaped like openai-go's ChatCompletion (through a pointer) and anthropic-sdk-go's Message.
    expect(varOf(events, 'Shapes', 'completion')[0]!.gen_ai).toEqual({
      'gen_ai.provider.name': 'openai',
      'gen_ai.request.model': null,
      'gen_ai.response.model': 'gpt-4o-mini-2024-07-18',
      'gen_ai.usage.input_tokens': 40,
      'gen_ai.usage.output_tokens': 16,
      'gen_ai.response.finish_reasons': ['length'],
    });
    expect(varOf(events, 'Shapes', 'message')[0]!.gen_ai).toEqual({
      'gen_ai.provider.name': 'anthropic',
      'gen_ai.request.model': null,
      'gen_ai.response.model': 'claude-haiku-4-5-20251001',
      'gen_ai.usage.input_tokens': 50,
      'gen_ai.usage.output_tokens': 8,
      'gen_ai.response.finish_reasons': ['end_turn'],
    });
  });

  it('are counted and priced by `metrics --events`: each response once, the failed call by its error type, cost from the price table', async () => {
    const py = await eventsOf('python');
    const js = await eventsOf('javascript');
    const prices = new Prices({ env: {} });
    const cost = (p: Provider) => prices.cost(p, WIRE[p].model, { inputTokens: WIRE[p].input, outputTokens: WIRE[p].output })!;
    // Python asks Ollama twice (over HTTP and through its SDK); Node once.
    for (const [{ file }, errorType, ollamaCalls] of [
      [py, 'InternalServerError', 2],
      [js, 'Error', 1],
    ] as const) {
      const result = await cli(['metrics', '--events', file, '--format', 'json'], { cwd: dir });
      const m = JSON.parse(result.stdout);
      const calls = 3 + ollamaCalls;
      expect(m).toMatchObject({
        source: 'events',
        calls,
        succeeded: calls - 1,
        failed: 1,
        success_rate: Math.round((10000 * (calls - 1)) / calls) / 100,
        tokens: {
          input: WIRE.openai.input + WIRE.anthropic.input + ollamaCalls * WIRE.ollama.input,
          output: WIRE.openai.output + WIRE.anthropic.output + ollamaCalls * WIRE.ollama.output,
        },
        by_model: { [WIRE.openai.model]: 1, [WIRE.anthropic.model]: 1, [WIRE.ollama.model]: ollamaCalls },
        by_endpoint: { openai: 1, anthropic: 1, ollama: ollamaCalls },
        failed_by_type: { [errorType]: 1 },
      });
      expect(cost('openai')).toBeGreaterThan(0);
      expect(m.cost_usd).toBeCloseTo(cost('openai') + cost('anthropic'), 12);
      expect(m.alerts.map((a: { metric: string }) => a.metric)).toContain('success_rate');
      expect(result.code).toBe(1);
    }
    const text = await cli(['metrics', '--events', py.file], { cwd: dir });
    expect(text.stdout).toMatch(/^cost {10}\$\S+ \(llm\.cost\.total_usd\)$/m);
    expect(text.stdout).toMatch(/^top functions:\n.*ask_anthropic/m);
  });
});
