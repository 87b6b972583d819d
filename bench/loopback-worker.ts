// Hosts the bench's loopback Ollama servers on their own thread, as real servers run in their own
// processes: the pool's event loop then measures the pool, not the servers' work as well.
import { parentPort, workerData } from 'node:worker_threads';
import { startOllamaLoopback } from '../tests/llm/loopback/index.js';

const { count, latencyMs } = workerData as { count: number; latencyMs: number };
const servers = await Promise.all(Array.from({ length: count }, () => startOllamaLoopback({ latencyMs })));
parentPort!.postMessage({ urls: servers.map((s) => s.url) });
parentPort!.on('message', async (message: string) => {
  if (message === 'stats') parentPort!.postMessage({ maxInFlight: servers.map((s) => s.maxInFlight()) });
  if (message === 'close') {
    await Promise.all(servers.map((s) => s.close()));
    parentPort!.close();
  }
});
