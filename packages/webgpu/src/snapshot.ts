import type { GpuRuntime, Step } from './runtime.js';
import type { Scratch } from './scratch.js';

/**
 * `steps` reading copies of those of `buffers` they read, the copies submitted now: for work that
 * waits its turn (a pipeline compiling, earlier work queued) while the caller may change the
 * originals (setWeights, an optimizer step on the GPU). Only for buffers the steps read and no
 * queued work writes: a layer's stored weights. The copies live in `scratch`.
 */
export function snapshotReads(runtime: GpuRuntime, steps: readonly Step[], buffers: readonly (GPUBuffer | undefined)[], scratch: Scratch): Step[] {
  const read = new Set<GPUBuffer>();
  for (const step of steps) for (const b of 'program' in step ? step.buffers : [step.copy.from]) read.add(b);
  const copies = new Map<GPUBuffer, GPUBuffer>();
  for (const b of buffers) if (b && read.has(b) && !copies.has(b)) copies.set(b, scratch.buffer(b.size / 4, `${b.label} snapshot`));
  if (copies.size === 0) return [...steps];
  runtime.submitNow(
    'snapshot',
    [...copies].map(([from, to]) => ({ copy: { from, to, bytes: from.size } })),
  );
  const swap = (b: GPUBuffer) => copies.get(b) ?? b;
  return steps.map((step) => ('program' in step ? { ...step, buffers: step.buffers.map(swap) } : { copy: { ...step.copy, from: swap(step.copy.from) } }));
}
