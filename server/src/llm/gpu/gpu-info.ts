// One GPU as the pool sees it, whichever tool reported it. Memory in MiB; null where the tool said
// N/A or did not say.

export type GpuVendor = 'nvidia' | 'amd';

export interface GpuInfo {
  vendor: GpuVendor;
  index: number;
  uuid: string | null;
  name: string | null;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  memoryFreeMiB: number | null;
  utilizationPct: number | null;
  /** The command whose output this came from. */
  source: 'nvidia-smi' | 'rocm-smi' | 'amd-smi';
}
