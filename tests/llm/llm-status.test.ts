// `telemetry-injector llm status` run as a real process: GPUs from fake tools on PATH, Ollama
// endpoints on loopback servers, text and JSON.
import { tmpdir } from 'node:os';
import { afterEach, expect, it } from 'vitest';
import { cli } from '../cli/helpers.js';
import { fakePath, removeFakeTools } from './fake-gpu-tools.js';
import { startOllamaLoopback, startOpenAiLoopback } from './loopback/index.js';

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  removeFakeTools();
  await Promise.all(open.splice(0).map((o) => o.close()));
});

const GiB = 2 ** 30;

it('shows two GPUs, one Ollama server on each, and which models each has loaded', async () => {
  const a = await startOllamaLoopback({ state: { models: [{ name: 'm1:latest', size: 4 * GiB }, { name: 'm2:latest', size: 9 * GiB }], loaded: [{ name: 'm1:latest', size: 4 * GiB, sizeVram: 4 * GiB }] } });
  const b = await startOllamaLoopback({ state: { models: [{ name: 'm1:latest', size: 4 * GiB }], loaded: [{ name: 'm1:latest', size: 4 * GiB, sizeVram: 3 * GiB }, { name: 'other:7b', size: 5 * GiB }] } });
  open.push(a, b);
  const env = { ...fakePath({ 'nvidia-smi': 'nvidia-2.csv' }), LLM_PROVIDER: 'ollama', LLM_MODEL: 'm1,m2', LLM_BASE_URL: `${a.url},${b.url}`, OLLAMA_NUM_PARALLEL: '2' };
  const json = await cli(['llm', 'status', '--format', 'json'], { cwd: tmpdir(), env });
  expect(json.stderr).toBe('');
  expect(json.code).toBe(0);
  const status = JSON.parse(json.stdout);
  expect(status).toMatchObject({ configured: true, provider: 'ollama', models: ['m1', 'm2'], strongModel: 'm2', capacity: 4, queued: 0 });
  expect(status.gpus.map((g: { index: number }) => g.index)).toEqual([0, 1]);
  expect(status.endpoints.map((e: { gpu: string }) => e.gpu)).toEqual(['nvidia:0 NVIDIA A100-SXM4-80GB', 'nvidia:1 NVIDIA A100-SXM4-80GB']);
  expect(status.endpoints[0]).toMatchObject({ url: a.url, health: 'ok', inFlight: 0, cap: 2, reachable: true });
  const states = (i: number) => status.endpoints[i].models.map((m: { name: string; state: string; configured: boolean }) => [m.name, m.state, m.configured]);
  expect(states(0)).toEqual([
    ['m1', 'loaded', true],
    ['m2', 'on-disk', true],
  ]);
  expect(states(1)).toEqual([
    ['m1', 'loaded-partly-on-cpu', true],
    ['m2', 'missing', true],
    ['other:7b', 'loaded', false],
  ]);

  const text = await cli(['llm', 'status'], { cwd: tmpdir(), env });
  expect(text.code).toBe(0);
  expect(text.stdout).toContain('nvidia:1  NVIDIA A100-SXM4-80GB  77.5 GiB free of 80.0 GiB, 0% busy');
  expect(text.stdout).toContain(`${b.url}  on nvidia:1`);
  expect(text.stdout).toContain('m1: loaded partly on cpu, 4.0 GiB, 3.0 GiB on GPU');
});

it('an unreachable Ollama server is shown as such, models unknown', async () => {
  const gone = await startOllamaLoopback();
  await gone.close();
  const env = { ...fakePath({}), LLM_PROVIDER: 'ollama', LLM_MODEL: 'm1', LLM_BASE_URL: gone.url };
  const run = await cli(['llm', 'status', '--format', 'json'], { cwd: tmpdir(), env });
  const status = JSON.parse(run.stdout);
  expect(status.gpus).toEqual([]);
  expect(status.endpoints[0]).toMatchObject({ health: 'unreachable', reachable: false, models: [{ name: 'm1', state: 'unknown' }] });
});

it('a hosted API is listed without being called', async () => {
  const server = await startOpenAiLoopback();
  open.push(server);
  const env = { ...fakePath({}), LLM_PROVIDER: 'openai', LLM_MODEL: 'gpt-x', LLM_BASE_URL: server.url, OPENAI_API_KEY: 'sk-secret-status' };
  const run = await cli(['llm', 'status'], { cwd: tmpdir(), env });
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('gpt-x: not probed');
  expect(run.stdout).not.toContain('sk-secret-status');
  expect(server.calls).toHaveLength(0);
});

it('without a provider it says how to configure one; a bad value is a usage error', async () => {
  const none = await cli(['llm', 'status'], { cwd: tmpdir(), env: fakePath({}) });
  expect(none.code).toBe(0);
  expect(none.stdout).toContain('LLM: not configured: no LLM provider configured: set LLM_PROVIDER');
  const bad = await cli(['llm', 'status'], { cwd: tmpdir(), env: { ...fakePath({}), LLM_PROVIDER: 'ollama', LLM_MODEL: 'm', LLM_TIMEOUT: 'soon' } });
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('LLM_TIMEOUT: "soon" is not a positive duration');
});
