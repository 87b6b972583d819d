// Fake nvidia-smi, rocm-smi and amd-smi executables that print recorded outputs (gpu-outputs/),
// each checking it was asked the documented query, on a PATH that holds nothing else.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AMD_SMI_QUERY, ROCM_QUERY } from '../../server/src/llm/gpu/parse-amd.js';
import { NVIDIA_QUERY } from '../../server/src/llm/gpu/parse-nvidia.js';

const outputs = join(import.meta.dirname, 'gpu-outputs');
const dirs: string[] = [];

export type Tool = 'nvidia-smi' | 'rocm-smi' | 'amd-smi';
const queries: Record<Tool, string[]> = { 'nvidia-smi': NVIDIA_QUERY, 'rocm-smi': ROCM_QUERY, 'amd-smi': AMD_SMI_QUERY };

/** An environment whose PATH holds only the given tools: a recording's file name, or a failure (exit 9). */
export function fakePath(tools: Partial<Record<Tool, string | { fail: string }>>): NodeJS.ProcessEnv {
  const dir = mkdtempSync(join(tmpdir(), 'fake-gpu-'));
  dirs.push(dir);
  for (const [tool, what] of Object.entries(tools) as [Tool, string | { fail: string }][]) {
    const body =
      typeof what === 'string'
        ? `[ "$*" = "${queries[tool].join(' ')}" ] || { echo "unexpected arguments: $*" >&2; exit 64; }\nexec /bin/cat '${join(outputs, what)}'`
        : `echo '${what.fail}'\nexit 9`;
    writeFileSync(join(dir, tool), `#!/bin/sh\n${body}\n`);
    chmodSync(join(dir, tool), 0o755);
  }
  return { PATH: dir };
}

export function removeFakeTools(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}
