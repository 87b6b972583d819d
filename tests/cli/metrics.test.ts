// `telemetry-injector metrics` over the LLM ledger: the figures, the period, the alerts and their
// thresholds (flags and telemetry.toml), and clear errors on bad input.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, removeProject } from './helpers.js';

let dir: string;
const now = Date.now();
const ago = (hours: number) => new Date(now - hours * 3_600_000).toISOString();

function line(over: Record<string, unknown>): string {
  return JSON.stringify({
    timestamp: ago(1),
    'gen_ai.operation.name': 'chat',
    'gen_ai.provider.name': 'openai',
    'gen_ai.request.model': 'gpt-4o-mini',
    'gen_ai.response.model': 'gpt-4o-mini',
    'gen_ai.usage.input_tokens': 1000,
    'gen_ai.usage.output_tokens': 100,
    duration_ms: 100,
    endpoint: 'http://127.0.0.1:1/v1',
    gpu: null,
    gpu_seconds: null,
    success: true,
    'error.type': null,
    cost_usd: 0.5,
    attempt: 1,
    purpose: 'plan',
    function_id: 'a.py::f::function_definition',
    file: 'a.py',
    ...over,
  });
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-metrics-'));
  const lines = [
    // Within the last day: 8 successes at 100..800 ms, 2 failures and a local call on a GPU.
    ...[100, 200, 300, 400, 500, 600, 700, 800].map((d) => line({ duration_ms: d })),
    line({ success: false, 'error.type': 'http_429', duration_ms: 50, cost_usd: 0, 'gen_ai.response.model': null }),
    line({ success: false, 'error.type': 'timeout', duration_ms: 60_000, cost_usd: 0, 'gen_ai.response.model': null }),
    line({ 'gen_ai.provider.name': 'ollama', 'gen_ai.request.model': 'qwen2.5-coder:7b', 'gen_ai.response.model': 'qwen2.5-coder:7b', endpoint: 'http://127.0.0.1:11434', gpu: '0', gpu_seconds: 2.5, cost_usd: 0, duration_ms: 900 }),
    '{"timestamp": "cut off',
    '[1, 2]',
    // Three days ago: an expensive day.
    line({ timestamp: ago(72), cost_usd: 12, duration_ms: 5000 }),
    // Forty days ago: outside every period.
    line({ timestamp: ago(960), cost_usd: 100 }),
  ];
  fs.mkdirSync(path.join(dir, '.telemetry_cache'));
  fs.writeFileSync(path.join(dir, '.telemetry_cache/llm-ledger.jsonl'), `${lines.join('\n')}\n`);
});
afterAll(() => removeProject(dir));

describe('telemetry-injector metrics', () => {
  it('summarises the last day of the ledger: success rate, latency, cost, tokens, calls per model and endpoint, failures by type', async () => {
    const run = await cli(['metrics', '--period', '1d', '--format', 'json'], { cwd: dir });
    const m = JSON.parse(run.stdout);
    expect(m).toMatchObject({
      source: 'ledger',
      period: '1d',
      calls: 11,
      succeeded: 9,
      failed: 2,
      success_rate: 81.82,
      latency_ms: { p50: 500, p95: 60000 },
      cost_usd: 4,
      tokens: { input: 11000, output: 1100 },
      gpu_seconds: 2.5,
      by_model: { 'gpt-4o-mini': 10, 'qwen2.5-coder:7b': 1 },
      by_endpoint: { 'http://127.0.0.1:1/v1': 10, 'http://127.0.0.1:11434': 1 },
      failed_by_type: { http_429: 1, timeout: 1 },
      malformed_lines: 2,
    });
    expect(m.alerts.map((a: { metric: string }) => a.metric)).toEqual(['success_rate', 'p95_latency_ms']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('2 malformed lines skipped (line 12, 13)');
  });

  it('alerts on a day that cost more than the threshold, within the period asked for', async () => {
    const week = await cli(['metrics', '--period', '7d'], { cwd: dir });
    expect(week.stdout).toMatch(/^LLM calls \(from the ledger, period 7d\): 12, 10 succeeded, 2 failed$/m);
    expect(week.stdout).toMatch(/cost on \d{4}-\d\d-\d\d was \$12\.00, above \$10/);
    expect(week.stdout).toMatch(/^cost {10}\$16\.00 \(llm\.cost\.total_usd\)$/m);
    const month = JSON.parse((await cli(['metrics', '--period', '30d', '--format', 'json'], { cwd: dir })).stdout);
    expect(month.calls).toBe(12);
    const all = JSON.parse((await cli(['metrics', '--period', 'all', '--format', 'json'], { cwd: dir })).stdout);
    expect(all.calls).toBe(13);
  });

  it('takes alert thresholds from flags, and from the team file [alerts] table', async () => {
    const relaxed = await cli(['metrics', '--period', '7d', '--min-success', '80', '--max-p95-ms', '70000', '--max-daily-cost', '20', '--format', 'json'], { cwd: dir });
    expect(JSON.parse(relaxed.stdout).alerts).toEqual([]);
    expect(relaxed.code).toBe(0);
    fs.writeFileSync(path.join(dir, 'telemetry.toml'), '[alerts]\nmin_success_rate = 50\nmax_p95_ms = 100000\nmax_daily_cost_usd = 1\n');
    try {
      const fromFile = JSON.parse((await cli(['metrics', '--period', '7d', '--format', 'json'], { cwd: dir })).stdout);
      expect(fromFile.alerts.map((a: { metric: string; threshold: number }) => [a.metric, a.threshold])).toEqual([
        ['daily_cost_usd', 1],
        ['daily_cost_usd', 1],
      ]);
    } finally {
      fs.rmSync(path.join(dir, 'telemetry.toml'));
    }
  });

  it('says where it looked when there is no ledger, and rejects bad flags', async () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-metrics-'));
    try {
      const run = await cli(['metrics'], { cwd: empty });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/no LLM ledger at \.telemetry_cache\/llm-ledger\.jsonl: no LLM call has been made from this folder/);
    } finally {
      removeProject(empty);
    }
    const period = await cli(['metrics', '--period', '2w'], { cwd: dir });
    expect(period.code).toBe(2);
    expect(period.stderr).toContain('--period is 1d, 7d, 30d or all, not "2w"');
    const threshold = await cli(['metrics', '--max-p95-ms', 'fast'], { cwd: dir });
    expect(threshold.stderr).toContain('--max-p95-ms wants a number ≥ 0, not "fast"');
    const missing = await cli(['metrics', '--events', 'nowhere.jsonl'], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('no such file or directory: nowhere.jsonl');
  });
});
