import { LinearConvError } from '@linearconv/core';
import { DeviceLostError, GpuOperationError, ShaderCompilationError } from './errors.js';
import type { Binding, Program } from './program.js';
import { type TileTarget, tileTarget } from './tiles.js';

/** A kernel launch: the program and one buffer per binding, in order. */
export interface Dispatch {
  readonly program: Program;
  readonly buffers: readonly GPUBuffer[];
}

/** A buffer-to-buffer copy between launches. */
export interface Copy {
  readonly copy: { readonly from: GPUBuffer; readonly fromOffset?: number; readonly to: GPUBuffer; readonly toOffset?: number; readonly bytes: number };
}

export type Step = Dispatch | Copy;

const runtimes = new WeakMap<GPUDevice, GpuRuntime>();

/**
 * What the kernels share on one device: the pipeline cache (keyed by shader key), bind group
 * layouts, the device-loss watch and the error checks of submitted work. One per device.
 */
export class GpuRuntime {
  readonly device: GPUDevice;
  /** What the GEMM blockings are chosen for on this device. */
  readonly target: TileTarget;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  private readonly layouts = new Map<string, GPUPipelineLayout & { group: GPUBindGroupLayout }>();
  private readonly lost: Promise<never>;
  private lostInfo: GPUDeviceLostInfo | undefined;
  /** The first error reported for submitted work since the last check. */
  private pendingError: Promise<GpuOperationError | undefined> = Promise.resolve(undefined);

  static for(device: GPUDevice): GpuRuntime {
    let runtime = runtimes.get(device);
    if (!runtime) {
      runtime = new GpuRuntime(device);
      runtimes.set(device, runtime);
    }
    return runtime;
  }

  private constructor(device: GPUDevice) {
    this.device = device;
    this.target = tileTarget(device);
    this.lost = device.lost.then((info) => {
      this.lostInfo = info;
      throw new DeviceLostError(info.reason, info.message);
    });
    // Only the races below observe the rejection.
    this.lost.catch(() => {});
  }

  /** Throws DeviceLostError once the device is gone. */
  checkAlive(): void {
    if (this.lostInfo) throw new DeviceLostError(this.lostInfo.reason, this.lostInfo.message);
  }

  /** `promise`, or DeviceLostError if the device is lost first: waits on a lost device never hang. */
  async settle<T>(promise: Promise<T>): Promise<T> {
    this.checkAlive();
    try {
      return await Promise.race([promise, this.lost]);
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      // A map or a wait may fail a moment before `lost` resolves; let it win if it is coming.
      await Promise.race([this.lost, new Promise((resolve) => setTimeout(resolve, 0))]);
      throw e;
    }
  }

  /** The compiled pipeline of `program`, from the cache when its key was seen before. */
  pipeline(program: Program): Promise<GPUComputePipeline> {
    let pipeline = this.pipelines.get(program.key);
    if (!pipeline) {
      pipeline = this.compile(program);
      this.pipelines.set(program.key, pipeline);
    }
    return pipeline;
  }

  /** Shader keys compiled on this device so far. */
  get cachedKeys(): string[] {
    return [...this.pipelines.keys()];
  }

  private async compile(program: Program): Promise<GPUComputePipeline> {
    this.checkAlive();
    const { device } = this;
    device.pushErrorScope('validation');
    const module = device.createShaderModule({ code: program.code, label: program.key });
    const scope = device.popErrorScope();
    const info = await this.settle(module.getCompilationInfo());
    const errors = info.messages
      .filter((m) => m.type === 'error')
      .map((m) => `${m.lineNum}:${m.linePos} ${m.message}`);
    if (errors.length > 0) throw new ShaderCompilationError(program.key, errors);
    try {
      return await this.settle(
        device.createComputePipelineAsync({
          label: program.key,
          layout: this.layout(program.bindings, program.uniforms !== undefined),
          compute: { module, entryPoint: 'main' },
        }),
      );
    } catch (e) {
      if (e instanceof DeviceLostError) throw e;
      const scoped = await scope;
      throw new ShaderCompilationError(program.key, [scoped?.message ?? (e as Error).message]);
    }
  }

  private layout(bindings: readonly Binding[], uniforms: boolean): GPUPipelineLayout & { group: GPUBindGroupLayout } {
    const signature = bindings.map((b) => (b.access === 'read' ? 'r' : 'w')).join('') + (uniforms ? 'u' : '');
    let layout = this.layouts.get(signature);
    if (!layout) {
      const group = this.device.createBindGroupLayout({
        label: `bindings ${signature}`,
        entries: [
          ...bindings.map((b, i) => ({
            binding: i,
            visibility: 4, // GPUShaderStage.COMPUTE
            buffer: { type: b.access === 'read' ? ('read-only-storage' as const) : ('storage' as const) },
          })),
          ...(uniforms ? [{ binding: bindings.length, visibility: 4, buffer: { type: 'uniform' as const } }] : []),
        ],
      });
      layout = Object.assign(this.device.createPipelineLayout({ label: signature, bindGroupLayouts: [group] }), { group });
      this.layouts.set(signature, layout);
    }
    return layout;
  }

  /**
   * Checks every buffer against its binding (size, the device's binding limit), compiles what is
   * new, then encodes `steps` into one command buffer and submits it. Validation errors of the
   * submission surface at the next `sync()` or download.
   */
  async run(label: string, steps: readonly Step[]): Promise<void> {
    this.checkAlive();
    for (const step of steps) if ('program' in step) this.checkBindings(step);
    const pipelines = await Promise.all(steps.map((step) => ('program' in step ? this.pipeline(step.program) : undefined)));
    this.checkAlive();
    const { device } = this;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    const encoder = device.createCommandEncoder({ label });
    const uniformBuffers: GPUBuffer[] = [];
    let pass: GPUComputePassEncoder | undefined;
    steps.forEach((step, i) => {
      if ('copy' in step) {
        pass?.end();
        pass = undefined;
        const { from, fromOffset = 0, to, toOffset = 0, bytes } = step.copy;
        encoder.copyBufferToBuffer(from, fromOffset, to, toOffset, bytes);
        return;
      }
      pass ??= encoder.beginComputePass({ label });
      const pipeline = pipelines[i]!;
      pass.setPipeline(pipeline);
      const { uniforms, bindings } = step.program;
      const entries: GPUBindGroupEntry[] = step.buffers.map((buffer, b) => ({ binding: b, resource: { buffer, size: bindings[b].bytes } }));
      if (uniforms) {
        const buffer = device.createBuffer({ label: `${step.program.key} params`, size: uniforms.layout.bytes, usage: 64 | 8 }); // UNIFORM | COPY_DST
        device.queue.writeBuffer(buffer, 0, uniforms.layout.pack(uniforms.values));
        uniformBuffers.push(buffer);
        entries.push({ binding: bindings.length, resource: { buffer } });
      }
      pass.setBindGroup(0, device.createBindGroup({ label: step.program.key, layout: this.layout(bindings, uniforms !== undefined).group, entries }));
      const [x, y, z] = step.program.workgroups;
      pass.dispatchWorkgroups(x, y, z);
    });
    pass?.end();
    device.queue.submit([encoder.finish()]);
    // Submitted work keeps them alive until it completes.
    for (const buffer of uniformBuffers) buffer.destroy();
    const validation = device.popErrorScope();
    const memory = device.popErrorScope();
    const reported = Promise.all([validation, memory]).then(
      ([v, m]) => (v ?? m ? new GpuOperationError(label, (v ?? m)!.message) : undefined),
      () => undefined, // a lost device: reported by settle()
    );
    const earlier = this.pendingError;
    this.pendingError = earlier.then(async (first) => first ?? (await reported));
  }

  private checkBindings({ program, buffers }: Dispatch): void {
    if (buffers.length !== program.bindings.length) {
      throw new Error(`${program.key}: ${program.bindings.length} buffers expected, got ${buffers.length}`);
    }
    const limit = this.device.limits.maxStorageBufferBindingSize;
    program.bindings.forEach((binding, i) => {
      if (binding.bytes > limit) {
        throw new LinearConvError(
          binding.name,
          `needs a binding of ${binding.bytes} bytes, more than this device's maxStorageBufferBindingSize (${limit}); use a smaller batch or input`,
        );
      }
      if (buffers[i].size < binding.bytes) {
        throw new LinearConvError(binding.name, `must be a buffer of at least ${binding.bytes} bytes, got ${buffers[i].size}`);
      }
    });
  }

  /** Waits for the submitted work; throws the first error the device reported for it. */
  async sync(): Promise<void> {
    await this.settle(this.device.queue.onSubmittedWorkDone());
    await this.throwPendingErrors();
  }

  /** Throws the first error reported for submitted work, if any. */
  async throwPendingErrors(): Promise<void> {
    const pending = this.pendingError;
    this.pendingError = Promise.resolve(undefined);
    const first = await this.settle(pending);
    if (first) throw first;
  }
}
