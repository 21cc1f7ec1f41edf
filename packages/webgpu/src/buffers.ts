import { describe, LinearConvError } from '@linearconv/core';
import { requireBuffer, requireBytes, requireCount, requireFloat32Array, requireString } from './gpu-arguments.js';
import { GpuRuntime } from './runtime.js';

/**
 * GPUBufferUsage flags by their values in the WebGPU spec: Node has no `GPUBufferUsage` global
 * unless Dawn's globals were installed, and the caller's device may come from anywhere.
 */
export const BufferUsage = { MAP_READ: 1, COPY_SRC: 4, COPY_DST: 8, UNIFORM: 64, STORAGE: 128 } as const;

/** What every buffer of this package is: bindable, copyable both ways. */
export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

/**
 * A zeroed storage buffer of `bytes` (rounded up to 16, the size of a vec4). `field` names what it
 * holds in the error thrown when it exceeds the device's maxBufferSize.
 */
export function createStorageBuffer(device: GPUDevice, bytes: number, label: string, field = label): GPUBuffer {
  GpuRuntime.for(device).checkAlive();
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new LinearConvError(field, `must be a non-negative whole number of bytes, got ${describe(bytes)}`);
  requireString('label', label);
  const size = Math.max(16, Math.ceil(bytes / 16) * 16);
  if (size > device.limits.maxBufferSize) {
    throw new LinearConvError(field, `needs a buffer of ${bytes} bytes, more than this device's maxBufferSize (${device.limits.maxBufferSize})`);
  }
  return device.createBuffer({ label, size, usage: STORAGE_USAGE });
}

/** A new storage buffer holding `data` (float32). The caller owns it: `destroy()` it when done. */
export function upload(device: GPUDevice, data: Float32Array, label = 'upload'): GPUBuffer {
  GpuRuntime.for(device).checkAlive();
  requireFloat32Array('data', data);
  const buffer = createStorageBuffer(device, data.byteLength, requireString('label', label), 'data');
  device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/**
 * Writes `data` into an existing buffer from `offset` bytes, at once: work already submitted
 * reads the old contents, work submitted later the new (queued calls of a layer read its weights
 * as they were when called; other buffers they read when their turn comes).
 */
export function write(device: GPUDevice, buffer: GPUBuffer, data: Float32Array, offset = 0, field?: string): void {
  GpuRuntime.for(device).checkAlive();
  const name = field === undefined ? 'buffer' : requireString('field', field);
  requireBuffer(name, buffer, BufferUsage.COPY_DST);
  requireFloat32Array('data', data);
  requireBytes('offset', offset);
  if (offset + data.byteLength > buffer.size) {
    throw new LinearConvError(name, `holds ${buffer.size} bytes, too few for ${data.length} floats at offset ${offset}`);
  }
  device.queue.writeBuffer(buffer, offset, data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Reads `length` floats from byte `offset` (default: the rest of the buffer) back after the work
 * called so far, this package's queued calls included; throws DeviceLostError if the device goes,
 * and any error the device reported for that work.
 */
export async function download(device: GPUDevice, buffer: GPUBuffer, length?: number, offset = 0): Promise<Float32Array> {
  const runtime = GpuRuntime.for(device);
  runtime.checkAlive();
  requireBuffer('buffer', buffer, BufferUsage.COPY_SRC);
  requireBytes('offset', offset);
  const floats = length === undefined ? Math.max(0, Math.floor((buffer.size - offset) / 4)) : requireCount('length', length);
  const bytes = floats * 4;
  if (offset + bytes > buffer.size) {
    throw new LinearConvError('length', `${floats} floats from byte ${offset} exceed the buffer's ${buffer.size} bytes`);
  }
  if (bytes === 0) return new Float32Array(0);
  const staging = device.createBuffer({ label: 'download', size: bytes, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
  try {
    // In call order, after the work queued before it.
    await runtime.run('download', [{ copy: { from: buffer, fromOffset: offset, to: staging, bytes } }]);
    await runtime.settle(staging.mapAsync(BufferUsage.MAP_READ));
    await runtime.throwPendingErrors();
    return new Float32Array(staging.getMappedRange(0, bytes).slice(0));
  } finally {
    staging.destroy();
  }
}
