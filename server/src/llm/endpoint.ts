// One endpoint as the pool sees it: its URL, its cap and requests in flight, its health, and (for
// Ollama) what it has loaded and the GPU it runs on. Plain state; route.ts reads it, pool.ts and
// router.ts change it.
import type { GpuInfo } from './gpu/gpu-info.js';
import { EndpointHealth, type HealthPolicy } from './health.js';
import type { Inventory } from './ollama-inventory.js';

export interface EndpointState {
  url: string;
  index: number;
  cap: number;
  inFlight: number;
  health: EndpointHealth;
  /** Ollama's /api/tags and /api/ps, as last read; null for hosted APIs or before the first read. */
  inventory: Inventory | null;
  gpu: GpuInfo | null;
}

export function endpointStates(urls: readonly string[], cap: number, policy?: HealthPolicy): EndpointState[] {
  return urls.map((url, index) => ({ url, index, cap, inFlight: 0, health: new EndpointHealth(policy), inventory: null, gpu: null }));
}

/** A label for the ledger's `gpu` field. */
export function gpuLabel(gpu: GpuInfo | null): string | null {
  return gpu ? `${gpu.vendor}:${gpu.index}${gpu.name ? ` ${gpu.name}` : ''}` : null;
}
