// What `telemetry-injector llm status` shows, as plain data and as text: the GPUs, each endpoint
// (its GPU, cap, requests in flight, health, cooldown, the configured models loaded or not) and the
// local queue. Reads the pool's state; must never change it or call a model.
import type { LlmConfig } from './config.js';
import type { EndpointState } from './endpoint.js';
import { gpuLabel } from './endpoint.js';
import type { GpuReport } from './gpu/detect.js';
import type { GpuInfo } from './gpu/gpu-info.js';
import { presence, sameModel } from './ollama-inventory.js';

export type ModelState = 'loaded' | 'loaded-partly-on-cpu' | 'on-disk' | 'missing' | 'unknown' | 'not-probed';

export interface EndpointStatus {
  url: string;
  gpu: string | null;
  cap: number;
  inFlight: number;
  /** ok; cooling (after failures); held (the server's Retry-After); unreachable (Ollama did not answer). */
  health: 'ok' | 'cooling' | 'held' | 'unreachable';
  coolingForMs: number;
  heldForMs: number;
  recent: { requests: number; failures: number };
  cooldowns: number;
  lastError: string | null;
  /** Ollama's answer to /api/tags and /api/ps; null for hosted APIs (not probed). */
  reachable: boolean | null;
  models: { name: string; state: ModelState; sizeBytes: number | null; vramBytes: number | null; configured: boolean }[];
}

export interface LlmStatus {
  configured: boolean;
  reason?: string;
  provider?: string;
  models?: string[];
  strongModel?: string;
  capacity?: number;
  queued?: number;
  gpus: GpuInfo[];
  gpuTools: GpuReport['tools'];
  endpoints: EndpointStatus[];
}

export function llmStatus(config: LlmConfig, endpoints: readonly EndpointState[], queued: number, gpus: GpuReport, now = Date.now()): LlmStatus {
  return {
    configured: true,
    provider: config.provider,
    models: [...config.models],
    strongModel: config.models[config.models.length - 1]!,
    capacity: endpoints.reduce((n, e) => n + e.cap, 0),
    queued,
    gpus: gpus.gpus,
    gpuTools: gpus.tools,
    endpoints: endpoints.map((e) => endpointStatus(config, e, now)),
  };
}

function endpointStatus(config: LlmConfig, e: EndpointState, now: number): EndpointStatus {
  const coolingForMs = Math.max(0, e.health.coolingUntil - now);
  const heldForMs = Math.max(0, e.health.retryAfterUntil - now);
  const inventory = e.inventory;
  const health = inventory && !inventory.reachable ? 'unreachable' : coolingForMs > 0 ? 'cooling' : heldForMs > 0 ? 'held' : 'ok';
  const models: EndpointStatus['models'] = config.models
    .filter((m, i, all) => all.indexOf(m) === i)
    .map((name) => {
      if (!inventory) return { name, state: 'not-probed', sizeBytes: null, vramBytes: null, configured: true };
      if (!inventory.reachable) return { name, state: 'unknown', sizeBytes: null, vramBytes: null, configured: true };
      const p = presence(inventory, name);
      const state: ModelState = !p ? 'missing' : p.loaded ? (p.degraded ? 'loaded-partly-on-cpu' : 'loaded') : 'on-disk';
      return { name, state, sizeBytes: p?.size || null, vramBytes: p?.sizeVram ?? null, configured: true };
    });
  // Models the server holds in memory that we were not asked to use still take its GPU.
  for (const m of inventory?.models ?? []) {
    if (!m.loaded || models.some((c) => sameModel(c.name, m.name))) continue;
    models.push({ name: m.name, state: m.degraded ? 'loaded-partly-on-cpu' : 'loaded', sizeBytes: m.size, vramBytes: m.sizeVram, configured: false });
  }
  return {
    url: e.url,
    gpu: gpuLabel(e.gpu),
    cap: e.cap,
    inFlight: e.inFlight,
    health,
    coolingForMs,
    heldForMs,
    recent: e.health.recent(now),
    cooldowns: e.health.cooldowns,
    lastError: inventory?.error ?? e.health.lastError,
    reachable: inventory ? inventory.reachable : null,
    models,
  };
}

export function formatStatus(status: LlmStatus): string {
  const lines: string[] = [];
  lines.push(status.gpus.length === 0 ? `GPUs: none found (${status.gpuTools.map((t) => `${t.tool}: ${t.detail}`).join('; ')})` : `GPUs (${status.gpus.length}):`);
  for (const g of status.gpus) {
    const memory = g.memoryTotalMiB === null ? 'memory N/A' : `${mib(g.memoryFreeMiB)} free of ${mib(g.memoryTotalMiB)}`;
    const util = g.utilizationPct === null ? '' : `, ${g.utilizationPct}% busy`;
    lines.push(`  ${g.vendor}:${g.index}  ${g.name ?? '(name N/A)'}  ${memory}${util}  [${g.source}]`);
  }
  lines.push('');
  if (!status.configured) {
    lines.push(`LLM: not configured: ${status.reason}`);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`LLM: ${status.provider}, models ${status.models!.join(', ')} (strong: ${status.strongModel}), capacity ${status.capacity}, queued ${status.queued}`);
  for (const e of status.endpoints) {
    const health =
      e.health === 'cooling' ? `cooling down (${(e.coolingForMs / 1000).toFixed(1)} s left)` : e.health === 'held' ? `held by Retry-After (${(e.heldForMs / 1000).toFixed(1)} s left)` : e.health;
    lines.push(`  ${e.url}${e.gpu ? `  on ${e.gpu}` : ''}`);
    lines.push(`    ${health}; in flight ${e.inFlight}/${e.cap}; last 60 s: ${e.recent.failures} failed of ${e.recent.requests}; cooldowns ${e.cooldowns}${e.lastError ? `; last error: ${e.lastError}` : ''}`);
    for (const m of e.models) {
      const size = m.sizeBytes ? `, ${(m.sizeBytes / 2 ** 30).toFixed(1)} GiB` : '';
      const vram = m.vramBytes !== null && m.state.startsWith('loaded') ? `, ${(m.vramBytes / 2 ** 30).toFixed(1)} GiB on GPU` : '';
      lines.push(`    ${m.name}: ${m.state.replace(/-/g, ' ')}${size}${vram}${m.configured ? '' : ' (not configured)'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

function mib(value: number | null): string {
  if (value === null) return 'N/A';
  return value >= 1024 ? `${(value / 1024).toFixed(1)} GiB` : `${value} MiB`;
}
