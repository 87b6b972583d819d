// Finds this machine's GPUs by running the vendors' tools (nvidia-smi; amd-smi, else rocm-smi) with
// a short timeout. A missing tool, a failing tool or unreadable output means "no GPU from it", never
// an error: most machines have none. Runs commands only; parsing is in parse-*.ts.
import { execFile } from 'node:child_process';
import type { GpuInfo } from './gpu-info.js';
import { AMD_SMI_QUERY, parseAmdSmi, parseRocmSmi, ROCM_QUERY } from './parse-amd.js';
import { NVIDIA_QUERY, parseNvidiaSmi } from './parse-nvidia.js';

export interface DetectOptions {
  /** The environment the tools run in (PATH decides which are found). */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export interface GpuReport {
  gpus: GpuInfo[];
  /** Which tools answered, and why the others did not (not installed, failed). */
  tools: { tool: string; ok: boolean; detail: string }[];
}

export async function detectGpus(options: DetectOptions = {}): Promise<GpuReport> {
  const run = (tool: string, args: string[]) => runTool(tool, args, options);
  const [nvidia, amd, rocm] = await Promise.all([run('nvidia-smi', NVIDIA_QUERY), run('amd-smi', AMD_SMI_QUERY), run('rocm-smi', ROCM_QUERY)]);
  const nvidiaGpus = nvidia.ok ? parseNvidiaSmi(nvidia.output) : [];
  // amd-smi replaces rocm-smi; where both are installed they describe the same cards.
  const amdSmiGpus = amd.ok ? parseAmdSmi(amd.output) : [];
  const amdGpus = amdSmiGpus.length > 0 ? amdSmiGpus : rocm.ok ? parseRocmSmi(rocm.output) : [];
  return {
    gpus: [...nvidiaGpus, ...amdGpus],
    tools: [
      { tool: 'nvidia-smi', ...summary(nvidia, nvidiaGpus.length) },
      { tool: 'amd-smi', ...summary(amd, amdSmiGpus.length) },
      { tool: 'rocm-smi', ...summary(rocm, rocm.ok ? parseRocmSmi(rocm.output).length : 0) },
    ],
  };
}

interface ToolRun {
  ok: boolean;
  output: string;
  detail: string;
}

function runTool(tool: string, args: string[], options: DetectOptions): Promise<ToolRun> {
  return new Promise((resolve) => {
    execFile(tool, args, { env: options.env ?? process.env, timeout: options.timeoutMs ?? 5_000, maxBuffer: 4 * 1024 * 1024 }, (error, stdout) => {
      if (!error) return resolve({ ok: true, output: stdout, detail: '' });
      const code = (error as NodeJS.ErrnoException).code;
      resolve({ ok: false, output: '', detail: code === 'ENOENT' ? 'not installed' : error.killed ? 'timed out' : `failed (${String(code ?? error.message).slice(0, 80)})` });
    });
  });
}

function summary(run: ToolRun, count: number): { ok: boolean; detail: string } {
  if (!run.ok) return { ok: false, detail: run.detail };
  return { ok: true, detail: count === 1 ? '1 GPU' : `${count} GPUs` };
}
