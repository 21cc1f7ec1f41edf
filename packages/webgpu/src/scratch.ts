import { createStorageBuffer } from './buffers.js';

/** The temporary buffers of one operation, destroyed together once its work is submitted. */
export class Scratch {
  private readonly buffers: GPUBuffer[] = [];

  constructor(private readonly device: GPUDevice) {}

  /** A zeroed float buffer of `floats` values; `name` says what it holds in errors. */
  buffer(floats: number, name: string): GPUBuffer {
    const buffer = createStorageBuffer(this.device, floats * 4, `scratch ${name}`, name);
    this.buffers.push(buffer);
    return buffer;
  }

  /** Destroys them (work already submitted still completes: WebGPU defers the free). */
  release(): void {
    for (const buffer of this.buffers.splice(0)) buffer.destroy();
  }
}
