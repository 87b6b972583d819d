// Builds the process's one LlmClient from a checked configuration: the provider's adapter, the
// pool, and (for Ollama) the inventory of each server and the GPUs it runs on, refreshed in the
// background. Must never block a request on that refresh.
import { llmConfig, type LlmConfig, type LlmSettings } from './config.js';
import { detectGpus, type GpuReport } from './gpu/detect.js';
import { isLocal, placeOnGpus } from './gpu/placement.js';
import type { GpuInfo } from './gpu/gpu-info.js';
import { readInventory } from './ollama-inventory.js';
import { LlmPool, type PoolOptions } from './pool.js';
import { anthropicAdapter } from './providers/anthropic.js';
import { ollamaAdapter } from './providers/ollama.js';
import { openAiAdapter } from './providers/openai.js';
import type { ProviderAdapter } from './providers/provider.js';
import { llmStatus, type LlmStatus } from './status.js';
import { LlmCallError, type LlmAnswer, type LlmClient, type LlmDescription } from './types.js';

export interface ClientOptions extends PoolOptions {
  /**
   * The machine's GPUs; Ollama endpoints on this machine are placed on them. Unset: detected (and
   * read again with the model lists) when every Ollama endpoint is on this machine.
   */
  gpus?: GpuInfo[];
  /** How often Ollama's model lists are read again; 0 reads them once. */
  inventoryRefreshMs?: number;
}

export function adapterFor(config: LlmConfig): ProviderAdapter {
  switch (config.provider) {
    case 'openai':
      return openAiAdapter(config.timeoutMs);
    case 'anthropic':
      return anthropicAdapter(config.timeoutMs);
    case 'ollama':
      return ollamaAdapter();
  }
}

export class LlmClientPool extends LlmPool {
  private refresher: NodeJS.Timeout | undefined;
  private reading: Promise<void> | undefined;
  private readonly detecting: boolean;

  private readonly gpusGiven: boolean;

  constructor(config: LlmConfig, options: ClientOptions = {}) {
    super(config, adapterFor(config), options);
    this.gpusGiven = options.gpus !== undefined;
    if (options.gpus) placeOnGpus(this.endpoints, options.gpus);
    this.detecting = !options.gpus && config.provider === 'ollama' && this.endpoints.every((e) => isLocal(e.url));
    if (config.provider === 'ollama') {
      void this.refresh();
      const every = options.inventoryRefreshMs ?? 30_000;
      if (every > 0) {
        this.refresher = setInterval(() => void this.refresh(), every);
        // A background refresh must not keep the CLI alive.
        this.refresher.unref();
      }
    }
  }

  /** Reads every Ollama server's model lists again (no-op for hosted APIs); joins a read under way. */
  refresh(): Promise<void> {
    if (this.config.provider !== 'ollama') return Promise.resolve();
    this.reading ??= Promise.all([
      ...this.endpoints.map(async (e) => {
        e.inventory = await readInventory(e.url);
      }),
      // Free memory changes as models load: read it with the model lists.
      this.detecting ? detectGpus().then((report) => placeOnGpus(this.endpoints, report.gpus)) : undefined,
    ]).then(() => {
      this.reading = undefined;
      this.router.pump();
    });
    return this.reading;
  }

  /** What `llm status` shows, read now: the model lists again, and the GPUs when not given. */
  async status(gpus?: GpuReport): Promise<LlmStatus> {
    const report = gpus ?? (await detectGpus());
    if (!this.gpusGiven) placeOnGpus(this.endpoints, report.gpus);
    await this.refresh();
    return llmStatus(this.config, this.endpoints, this.router.queued, report);
  }

  override async close(): Promise<void> {
    clearInterval(this.refresher);
    await super.close();
  }
}

/** The LlmClient for a configuration; the guard and observer come from the budget and ledger. */
export function createLlmClient(config: LlmConfig, options: ClientOptions = {}): LlmClientPool {
  return new LlmClientPool(config, options);
}

/** The client when no provider is configured: describe() says why, complete() refuses. */
export function unconfiguredClient(reason: string): LlmClient {
  return {
    describe: (): LlmDescription => ({ configured: false, reason }),
    complete: (): Promise<LlmAnswer> => Promise.reject(new LlmCallError('not_configured', reason, false)),
    close: async () => {},
  };
}

/**
 * The process's client from the environment and settings: the pool when a provider is configured,
 * else one that says why. A value set but wrong throws LlmConfigError.
 */
export function llmClientFor(env: Readonly<Record<string, string | undefined>>, settings: LlmSettings = {}, options: ClientOptions = {}): LlmClient {
  const result = llmConfig(env, settings);
  return result.configured ? createLlmClient(result.config, options) : unconfiguredClient(result.reason);
}
