// Which GPU each endpoint runs on. The usual local setup is one Ollama server per GPU, so when the
// endpoints are all on this machine and there are as many as GPUs, endpoint i is GPU i (by index).
// Anything else stays unplaced (null): a remote server's GPUs are not ours to see.
import type { EndpointState } from '../endpoint.js';
import type { GpuInfo } from './gpu-info.js';

const LOCAL = new Set(['127.0.0.1', 'localhost', '[::1]', '::1', '0.0.0.0']);

export function isLocal(url: string): boolean {
  return LOCAL.has(new URL(url).hostname);
}

export function placeOnGpus(endpoints: EndpointState[], gpus: readonly GpuInfo[]): void {
  const local = endpoints.every((e) => isLocal(e.url));
  if (!local || gpus.length === 0 || gpus.length !== endpoints.length) return;
  const ordered = [...gpus].sort((a, b) => a.index - b.index);
  endpoints.forEach((e, i) => (e.gpu = ordered[i]!));
}
