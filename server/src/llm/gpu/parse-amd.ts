// Reads AMD's two tools. `rocm-smi --showmeminfo vram --json`: {"card0": {"VRAM Total Memory (B)":
// "…", "VRAM Total Used Memory (B)": "…"}}. `amd-smi metric -m --json`, in both shapes it has had: a
// list of {gpu, mem_usage: {total_vram, used_vram, free_vram}} or {"gpu_data": [that list]}, each
// value {value, unit} (or a bare number or "N/A"). Either may print warnings before the JSON.
// Memory in MiB; N/A becomes null. Pure.
import type { GpuInfo } from './gpu-info.js';
import { difference, number } from './parse-nvidia.js';

export const ROCM_QUERY = ['--showmeminfo', 'vram', '--json'];
export const AMD_SMI_QUERY = ['metric', '-m', '--json'];

const MIB = 1024 * 1024;

export function parseRocmSmi(output: string): GpuInfo[] {
  const doc = jsonIn(output);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return [];
  const gpus: GpuInfo[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const card = /^card(\d+)$/.exec(key);
    if (!card || !value || typeof value !== 'object') continue;
    const fields = value as Record<string, unknown>;
    const total = bytesToMiB(fields['VRAM Total Memory (B)']);
    const used = bytesToMiB(fields['VRAM Total Used Memory (B)']);
    // Only with --showproductname/--showuse too; kept when a wrapper adds them.
    const name = fields['Card series'] ?? fields['Card model'];
    const use = fields['GPU use (%)'];
    gpus.push({
      vendor: 'amd',
      index: Number(card[1]),
      uuid: null,
      name: typeof name === 'string' && !/^\[?N\/A\]?$/i.test(name) ? name : null,
      memoryTotalMiB: total,
      memoryUsedMiB: used,
      memoryFreeMiB: difference(total, used),
      utilizationPct: number(use === undefined ? undefined : String(use)),
      source: 'rocm-smi',
    });
  }
  return gpus.sort((a, b) => a.index - b.index);
}

export function parseAmdSmi(output: string): GpuInfo[] {
  const doc = jsonIn(output);
  const rows = Array.isArray(doc) ? doc : doc && typeof doc === 'object' && Array.isArray((doc as { gpu_data?: unknown }).gpu_data) ? (doc as { gpu_data: unknown[] }).gpu_data : [];
  const gpus: GpuInfo[] = [];
  rows.forEach((row, position) => {
    if (!row || typeof row !== 'object') return;
    const r = row as Record<string, unknown>;
    const usage = (r.mem_usage ?? {}) as Record<string, unknown>;
    const total = mib(usage.total_vram);
    const used = mib(usage.used_vram);
    const index = typeof r.gpu === 'number' ? r.gpu : number(String(r.gpu ?? '')) ?? position;
    gpus.push({ vendor: 'amd', index, uuid: null, name: null, memoryTotalMiB: total, memoryUsedMiB: used, memoryFreeMiB: mib(usage.free_vram) ?? difference(total, used), utilizationPct: null, source: 'amd-smi' });
  });
  return gpus;
}

/** The JSON document in a tool's output, skipping any warning lines before it. */
function jsonIn(output: string): unknown {
  const start = output.search(/[[{]/);
  if (start < 0) return undefined;
  try {
    return JSON.parse(output.slice(start));
  } catch {
    return undefined;
  }
}

function bytesToMiB(value: unknown): number | null {
  const n = number(value === undefined || value === null ? undefined : String(value));
  return n === null ? null : Math.round(n / MIB);
}

/** {value, unit} with unit B/KB/MB/GB (or KiB…), a bare number (MB), "123 MB", or N/A. */
function mib(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'object') {
    const v = value as { value?: unknown; unit?: unknown };
    return scaled(number(String(v.value ?? '')), typeof v.unit === 'string' ? v.unit : 'MB');
  }
  const match = /^\s*([\d.]+)\s*([A-Za-z]*)\s*$/.exec(String(value));
  return match ? scaled(number(match[1]), match[2] || 'MB') : null;
}

function scaled(n: number | null, unit: string): number | null {
  if (n === null) return null;
  const factor: Record<string, number> = { b: 1 / MIB, kb: 1 / 1024, kib: 1 / 1024, mb: 1, mib: 1, gb: 1024, gib: 1024 };
  const f = factor[unit.toLowerCase()];
  return f === undefined ? null : Math.round(n * f);
}
