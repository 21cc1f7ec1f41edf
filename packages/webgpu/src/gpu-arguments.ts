import { describe, LinearConvError } from '@linearconv/core';

/**
 * Checks of what callers pass (devices, buffers, arrays, options), made before any GPU work is
 * encoded, so bad input is a LinearConvError naming the parameter, never a TypeError mid-encode.
 * GPU objects are recognised by their members: Dawn's (Node) are not instances of the browser's
 * classes, and Node has no `GPUBuffer` global.
 */

/** Names for the usage flags a check asks for. */
const USAGE_NAMES: Readonly<Record<number, string>> = { 1: 'MAP_READ', 4: 'COPY_SRC', 8: 'COPY_DST', 64: 'UNIFORM', 128: 'STORAGE' };

export function isGpuDevice(value: unknown): value is GPUDevice {
  const d = value as Partial<GPUDevice> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.createBuffer === 'function' &&
    typeof d.createCommandEncoder === 'function' &&
    typeof d.queue?.submit === 'function' &&
    typeof d.limits === 'object' &&
    typeof d.lost?.then === 'function'
  );
}

export function isGpuBuffer(value: unknown): value is GPUBuffer {
  const b = value as Partial<GPUBuffer> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    typeof b.size === 'number' &&
    typeof b.usage === 'number' &&
    typeof b.destroy === 'function' &&
    typeof b.mapAsync === 'function'
  );
}

export function requireDevice(field: string, value: unknown): GPUDevice {
  if (!isGpuDevice(value)) {
    throw new LinearConvError(field, `must be a GPUDevice (from requestDevice() or adapter.requestDevice()), got ${describe(value)}`);
  }
  return value;
}

/** A GPUBuffer with every `usage` flag given (GPUBufferUsage bits). */
export function requireBuffer(field: string, value: unknown, usage = 0): GPUBuffer {
  if (!isGpuBuffer(value)) throw new LinearConvError(field, `must be a GPUBuffer, got ${describe(value)}`);
  const missing = Object.keys(USAGE_NAMES)
    .map(Number)
    .filter((flag) => usage & flag && !(value.usage & flag));
  if (missing.length > 0) {
    throw new LinearConvError(field, `must be a GPUBuffer with ${missing.map((f) => USAGE_NAMES[f]).join(' and ')} usage (it has usage ${value.usage})`);
  }
  return value;
}

export function requireFloat32Array(field: string, value: unknown): Float32Array {
  if (!(value instanceof Float32Array)) throw new LinearConvError(field, `must be a Float32Array, got ${describe(value)}`);
  return value;
}

/** A byte offset or count: a non-negative integer, a multiple of 4 (WebGPU copies and writes move whole floats). */
export function requireBytes(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0 || (value as number) % 4 !== 0) {
    throw new LinearConvError(field, `must be a non-negative multiple of 4 bytes, got ${describe(value)}`);
  }
  return value as number;
}

export function requireCount(field: string, value: unknown): number {
  if (!Number.isSafeInteger(value) || (value as number) < 0) throw new LinearConvError(field, `must be a non-negative integer, got ${describe(value)}`);
  return value as number;
}

export function requireString(field: string, value: unknown): string {
  if (typeof value !== 'string') throw new LinearConvError(field, `must be a string, got ${describe(value)}`);
  return value;
}

