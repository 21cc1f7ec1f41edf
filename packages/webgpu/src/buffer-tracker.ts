import { requireDevice } from './gpu-arguments.js';

/** Counts the GPU buffers created on a device and not yet destroyed. */
export interface BufferTracker {
  /** Buffers created since tracking began and not destroyed. */
  readonly live: number;
  /** Their labels, to say which one leaked. */
  readonly liveLabels: string[];
  /** Restores the device's own createBuffer. */
  stop(): void;
}

/**
 * Wraps `device.createBuffer` and each new buffer's `destroy` to count live buffers: a leak check
 * for tests and engines ("no buffer outlives dispose()"). Buffers made before it are not counted.
 */
export function trackBuffers(device: GPUDevice): BufferTracker {
  requireDevice('device', device);
  const live = new Set<GPUBuffer>();
  const original = device.createBuffer;
  device.createBuffer = function createBuffer(this: GPUDevice, descriptor: GPUBufferDescriptor): GPUBuffer {
    const buffer = original.call(this, descriptor);
    const destroy = buffer.destroy;
    live.add(buffer);
    buffer.destroy = function (this: GPUBuffer): undefined {
      live.delete(buffer);
      return destroy.call(this);
    };
    return buffer;
  };
  return {
    get live() {
      return live.size;
    },
    get liveLabels() {
      return [...live].map((b) => b.label);
    },
    stop() {
      device.createBuffer = original;
    },
  };
}
