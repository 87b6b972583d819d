// What an Ollama server holds: models on disk (/api/tags) and loaded (/api/ps), read through the
// `ollama` SDK. A loaded model with size_vram < size runs partly on the CPU: degraded. Reads only;
// must never pull, load or unload a model.
import { Ollama } from 'ollama';

export interface ModelPresence {
  name: string;
  /** Bytes. */
  size: number;
  loaded: boolean;
  /** Bytes in GPU memory, for loaded models. */
  sizeVram: number | null;
  degraded: boolean;
}

export interface Inventory {
  reachable: boolean;
  error: string | null;
  models: ModelPresence[];
  checkedAt: number;
}

/** Reads both lists; an unreachable server gives `reachable: false` rather than an error. */
export async function readInventory(endpoint: string, timeoutMs = 3_000, now = Date.now): Promise<Inventory> {
  const signal = AbortSignal.timeout(timeoutMs);
  const client = new Ollama({ host: endpoint, fetch: (input, init) => fetch(input, { ...init, signal }) });
  try {
    const [tags, ps] = await Promise.all([client.list(), client.ps()]);
    const models = new Map<string, ModelPresence>();
    for (const m of tags.models) models.set(canonical(m.name), { name: m.name, size: m.size, loaded: false, sizeVram: null, degraded: false });
    for (const m of ps.models) {
      models.set(canonical(m.name), { name: m.name, size: m.size, loaded: true, sizeVram: m.size_vram, degraded: m.size_vram < m.size });
    }
    return { reachable: true, error: null, models: [...models.values()], checkedAt: now() };
  } catch (error) {
    const message = signal.aborted ? `no answer in ${timeoutMs} ms` : error instanceof Error ? rootCause(error) : String(error);
    return { reachable: false, error: message, models: [], checkedAt: now() };
  }
}

export function presence(inventory: Inventory, model: string): ModelPresence | undefined {
  return inventory.models.find((m) => sameModel(m.name, model));
}

/** `llama3` and `llama3:latest` are one model. */
export function sameModel(a: string, b: string): boolean {
  return canonical(a) === canonical(b);
}

/** After a successful call the model is loaded there (Ollama loads on demand). */
export function markLoaded(inventory: Inventory, model: string): void {
  const p = presence(inventory, model);
  if (p) p.loaded = true;
  else inventory.models.push({ name: model, size: 0, loaded: true, sizeVram: null, degraded: false });
}

function canonical(name: string): string {
  return name.includes(':') ? name : `${name}:latest`;
}

function rootCause(error: Error): string {
  let e: unknown = error;
  let message = error.message;
  for (let depth = 0; e instanceof Error && e.cause && depth < 4; depth++) {
    e = e.cause;
    if (e instanceof Error && e.message) message = e.message;
  }
  return message;
}
