// Pool scaling: N = 1, 2, 4, 8 loopback Ollama servers, each answering after a fixed 200 ms with a
// cap of one request at a time; the real SDK and the real pool in between. Throughput with N
// servers over throughput with one should reach 0.9·N: the pool must keep every server busy.
// The servers run on a worker thread (loopback-worker.ts). Runs alone with `node dist/bench/llm-pool.js`, or as part of `npm run bench`.
import { once } from 'node:events';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { llmConfig } from '../server/src/llm/config.js';
import { createLlmClient } from '../server/src/llm/create-client.js';
import type { LlmRequest } from '../server/src/llm/types.js';

export interface PoolScaling {
  latencyMs: number;
  runs: {
    endpoints: number;
    requests: number;
    seconds: number;
    perSecond: number;
    ratio: number;
    /** Throughput over the ideal N / latency: what the pool loses to its own work and the queue. */
    ofIdeal: number;
    maxInFlightPerServer: number;
  }[];
}

const request: LlmRequest = { purpose: 'plan', system: 'bench', prompt: 'def f():\n    return 1\n', maxTokens: 64 };

export async function measurePoolScaling(sizes = [1, 2, 4, 8], latencyMs = 200, rounds = 20): Promise<PoolScaling> {
  const runs: PoolScaling['runs'] = [];
  for (const n of sizes) {
    const worker = new Worker(new URL('./loopback-worker.js', import.meta.url), { workerData: { count: n, latencyMs } });
    const [{ urls }] = (await once(worker, 'message')) as [{ urls: string[] }];
    const result = llmConfig({ LLM_PROVIDER: 'ollama', LLM_MODEL: 'bench', LLM_BASE_URL: urls.join(','), OLLAMA_NUM_PARALLEL: '1' });
    if (!result.configured) throw new Error(result.reason);
    const client = createLlmClient(result.config, { inventoryRefreshMs: 0, gpus: [] });
    try {
      // Warm the connections, so that the run measures the pool, not TCP set-up.
      await Promise.all(urls.map(() => client.complete(request)));
      const requests = rounds * n;
      const started = performance.now();
      await Promise.all(Array.from({ length: requests }, () => client.complete(request)));
      const seconds = (performance.now() - started) / 1000;
      const perSecond = requests / seconds;
      worker.postMessage('stats');
      const [{ maxInFlight }] = (await once(worker, 'message')) as [{ maxInFlight: number[] }];
      runs.push({
        endpoints: n,
        requests,
        seconds,
        perSecond,
        ratio: perSecond / (runs[0]?.perSecond ?? perSecond),
        ofIdeal: perSecond / ((n * 1000) / latencyMs),
        maxInFlightPerServer: Math.max(...maxInFlight),
      });
    } finally {
      await client.close();
      worker.postMessage('close');
      await once(worker, 'exit');
    }
  }
  return { latencyMs, runs };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const scaling = await measurePoolScaling();
  for (const r of scaling.runs) {
    const target = 0.9 * r.endpoints;
    console.log(`${r.endpoints} endpoint(s): ${r.perSecond.toFixed(2)} req/s (${r.requests} in ${r.seconds.toFixed(2)} s), ${r.ratio.toFixed(2)}x one endpoint, target >= ${target.toFixed(1)}x ${r.ratio >= target ? 'ok' : 'MISSED'}; ${(r.ofIdeal * 100).toFixed(1)}% of the ideal ${(r.endpoints * 1000) / scaling.latencyMs} req/s; max in flight per server ${r.maxInFlightPerServer}`);
  }
}
