// `telemetry-injector llm status [--format json]`: the GPUs, the endpoints (health, cooldowns,
// requests in flight, GPU), and the configured models, loaded or not. Configuration comes from the
// environment (llmConfig); a bad value is a usage error. Reads only; never calls a model.
import { llmConfig, LlmConfigError } from '../llm/config.js';
import { createLlmClient } from '../llm/create-client.js';
import { detectGpus } from '../llm/gpu/detect.js';
import { formatStatus, type LlmStatus } from '../llm/status.js';
import { ExitCode, format, parse, UsageError } from './args.js';
import type { CliContext } from './context.js';

export const llmHelp = {
  usage: 'llm status [--format text|json]',
  summary: 'the LLM pool: GPUs, endpoints, models loaded or not, health and cooldowns',
  flags: [['--format text|json', 'output format (default text)']],
} as const;

export async function llm(args: readonly string[], ctx: CliContext): Promise<number> {
  const { values, positionals } = parse<{ format?: string }>('llm', args, { format: { type: 'string' } });
  if (positionals[0] !== 'status' || positionals.length > 1) throw new UsageError('llm: the subcommand is `status`');
  const output = format('--format', values.format);
  let config;
  try {
    config = llmConfig(process.env);
  } catch (error) {
    if (error instanceof LlmConfigError) throw new UsageError(`llm: ${error.message}`, false);
    throw error;
  }
  const gpus = await detectGpus();
  let status: LlmStatus;
  if (!config.configured) {
    status = { configured: false, reason: config.reason, gpus: gpus.gpus, gpuTools: gpus.tools, endpoints: [] };
  } else {
    const client = createLlmClient(config.config, { inventoryRefreshMs: 0, gpus: gpus.gpus });
    try {
      status = await client.status(gpus);
    } finally {
      await client.close();
    }
  }
  ctx.stdout.write(output === 'json' ? `${JSON.stringify(status, null, 2)}\n` : formatStatus(status));
  return ExitCode.ok;
}
