// Reads `nvidia-smi --query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu
// --format=csv,noheader,nounits`: one line per GPU, memory in MiB. `[N/A]` and `N/A` (MIG, some
// data-centre boards, unified memory) become null. Pure.
import type { GpuInfo } from './gpu-info.js';

export const NVIDIA_QUERY = ['--query-gpu=index,uuid,name,memory.total,memory.used,memory.free,utilization.gpu', '--format=csv,noheader,nounits'];

export function parseNvidiaSmi(output: string): GpuInfo[] {
  const gpus: GpuInfo[] = [];
  for (const line of output.split(/\r?\n/)) {
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 7) continue;
    // A name may hold a comma: take the fixed fields from both ends.
    const [index, uuid] = fields;
    const [total, used, free, util] = fields.slice(-4);
    const name = fields.slice(2, -4).join(', ');
    const i = number(index);
    if (i === null) continue;
    gpus.push({
      vendor: 'nvidia',
      index: i,
      uuid: text(uuid),
      name: text(name),
      memoryTotalMiB: number(total),
      memoryUsedMiB: number(used),
      memoryFreeMiB: number(free) ?? difference(number(total), number(used)),
      utilizationPct: number(util),
      source: 'nvidia-smi',
    });
  }
  return gpus;
}

export function number(value: string | undefined): number | null {
  if (value === undefined) return null;
  const v = value.trim();
  if (v === '' || /^\[?N\/A\]?$/i.test(v)) return null;
  const n = Number(v);
  return Number.isFinite(n) ? n : null;
}

function text(value: string | undefined): string | null {
  const v = value?.trim() ?? '';
  return v === '' || /^\[?N\/A\]?$/i.test(v) ? null : v;
}

export function difference(total: number | null, used: number | null): number | null {
  return total !== null && used !== null ? total - used : null;
}
