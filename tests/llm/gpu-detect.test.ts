// GPU detection runs recorded nvidia-smi, rocm-smi and amd-smi outputs through fake executables on
// PATH (each checks it was asked the documented query): one, two and eight GPUs, none, N/A values.
import { afterEach, expect, it } from 'vitest';
import { detectGpus } from '../../server/src/llm/gpu/detect.js';
import { fakePath, removeFakeTools } from './fake-gpu-tools.js';

afterEach(removeFakeTools);

it('one NVIDIA GPU: index, uuid, name, memory in MiB and utilisation', async () => {
  const { gpus } = await detectGpus({ env: fakePath({ 'nvidia-smi': 'nvidia-1.csv' }) });
  expect(gpus).toEqual([
    { vendor: 'nvidia', index: 0, uuid: 'GPU-3b0ed5a2-8f38-2c5b-a3e3-5b8e4a7d2c11', name: 'NVIDIA GeForce RTX 4090', memoryTotalMiB: 24564, memoryUsedMiB: 1311, memoryFreeMiB: 22830, utilizationPct: 7, source: 'nvidia-smi' },
  ]);
});

it('two and eight NVIDIA GPUs are all found, in index order', async () => {
  const two = await detectGpus({ env: fakePath({ 'nvidia-smi': 'nvidia-2.csv' }) });
  expect(two.gpus.map((g) => [g.index, g.memoryFreeMiB])).toEqual([
    [0, 19995],
    [1, 79387],
  ]);
  const eight = await detectGpus({ env: fakePath({ 'nvidia-smi': 'nvidia-8.csv' }) });
  expect(eight.gpus.map((g) => g.index)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  expect(eight.gpus.every((g) => g.name === 'NVIDIA H100 80GB HBM3' && g.memoryTotalMiB === 81559)).toBe(true);
});

it('[N/A] and N/A become null; free memory falls back to total - used only when both are known', async () => {
  const { gpus } = await detectGpus({ env: fakePath({ 'nvidia-smi': 'nvidia-na.csv' }) });
  expect(gpus[0]).toMatchObject({ index: 0, name: 'NVIDIA GH200 480GB', memoryTotalMiB: null, memoryUsedMiB: null, memoryFreeMiB: null, utilizationPct: null });
  expect(gpus[1]).toMatchObject({ index: 1, memoryTotalMiB: 40960, memoryUsedMiB: null, memoryFreeMiB: 40337, utilizationPct: null });
});

it('no tool on PATH means no GPU, and says why', async () => {
  const report = await detectGpus({ env: fakePath({}) });
  expect(report.gpus).toEqual([]);
  expect(report.tools.map((t) => t.detail)).toEqual(['not installed', 'not installed', 'not installed']);
});

it('a tool that fails (no driver) means no GPU from it, not an error', async () => {
  const report = await detectGpus({ env: fakePath({ 'nvidia-smi': { fail: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." } }) });
  expect(report.gpus).toEqual([]);
  expect(report.tools[0]).toMatchObject({ tool: 'nvidia-smi', ok: false });
});

it('rocm-smi: bytes per card become MiB, warnings before the JSON are skipped', async () => {
  const { gpus } = await detectGpus({ env: fakePath({ 'rocm-smi': 'rocm-2.json' }) });
  expect(gpus.map((g) => [g.vendor, g.index, g.memoryTotalMiB, g.memoryUsedMiB, g.memoryFreeMiB, g.source])).toEqual([
    ['amd', 0, 65520, 10, 65510, 'rocm-smi'],
    ['amd', 1, 65520, 32760, 32760, 'rocm-smi'],
  ]);
});

it('amd-smi: the list shape and the gpu_data shape, with N/A values', async () => {
  const list = await detectGpus({ env: fakePath({ 'amd-smi': 'amd-smi-list.json' }) });
  expect(list.gpus.map((g) => [g.index, g.memoryTotalMiB, g.memoryUsedMiB, g.memoryFreeMiB])).toEqual([[0, 196592, 283, 196309]]);
  const data = await detectGpus({ env: fakePath({ 'amd-smi': 'amd-smi-gpu-data.json' }) });
  expect(data.gpus.map((g) => [g.index, g.memoryTotalMiB, g.memoryUsedMiB, g.memoryFreeMiB])).toEqual([
    [0, 24560, 1520, 23040],
    [1, 24560, null, null],
  ]);
});

it('where amd-smi and rocm-smi both answer, the cards are counted once (amd-smi)', async () => {
  const { gpus } = await detectGpus({ env: fakePath({ 'amd-smi': 'amd-smi-gpu-data.json', 'rocm-smi': 'rocm-2.json' }) });
  expect(gpus.map((g) => g.source)).toEqual(['amd-smi', 'amd-smi']);
});

it('NVIDIA and AMD cards in one machine are both listed', async () => {
  const { gpus } = await detectGpus({ env: fakePath({ 'nvidia-smi': 'nvidia-1.csv', 'rocm-smi': 'rocm-2.json' }) });
  expect(gpus.map((g) => `${g.vendor}:${g.index}`)).toEqual(['nvidia:0', 'amd:0', 'amd:1']);
});
