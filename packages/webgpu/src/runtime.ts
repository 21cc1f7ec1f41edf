import { LinearConvError } from '@linearconv/core';
import { DeviceLostError, GpuOperationError, ShaderCompilationError } from './errors.js';
import { requireBuffer, requireBytes, requireDevice, requireString } from './gpu-arguments.js';
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

export interface RunOptions {
  /** Called just before the steps are encoded, in their turn; a throw cancels the run (it rejects with it). */
  readonly beforeSubmit?: () => void;
}

/** GPUBufferUsage bits (the spec's values; Node has no global for them). */
const COPY_SRC = 4;
const COPY_DST = 8;
const UNIFORM = 64;
const STORAGE = 128;

const runtimes = new WeakMap<GPUDevice, GpuRuntime>();

/**
 * What the kernels share on one device: the pipeline cache (keyed by shader key), bind group
 * layouts, the device-loss watch, the error checks of submitted work, and the order of work:
 * runs submit in call order, at once when nothing is queued and their pipelines are compiled,
 * else in their turn once they are. One per device.
 */
export class GpuRuntime {
  readonly device: GPUDevice;
  /** What the GEMM blockings are chosen for on this device. */
  readonly target: TileTarget;
  private readonly pipelines = new Map<string, Promise<GPUComputePipeline>>();
  /** The pipelines compiled so far: what a run may be encoded with at once. */
  private readonly compiled = new Map<string, GPUComputePipeline>();
  /** The last queued run's turn, and how many runs wait for theirs. */
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private readonly layouts = new Map<string, GPUPipelineLayout & { group: GPUBindGroupLayout }>();
  private readonly lost: Promise<never>;
  private lostInfo: GPUDeviceLostInfo | undefined;
  /** The first error reported for submitted work since the last check. */
  private pendingError: Promise<GpuOperationError | undefined> = Promise.resolve(undefined);

  /** The runtime of `device` (LinearConvError naming `device` when it is not a GPUDevice). */
  static for(device: GPUDevice): GpuRuntime {
    requireDevice('device', device);
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
      pipeline.then(
        (compiled) => this.compiled.set(program.key, compiled),
        () => {},
      );
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
   * Checks every step (buffers, sizes, the device's binding limit: before anything is encoded),
   * then submits the steps as one command buffer, in call order: at once when no earlier run is
   * waiting and every pipeline is compiled, else in its turn, once compiled. Resolves when
   * submitted. Validation errors of the submission surface at the next `sync()` or download.
   */
  async run(label: string, steps: readonly Step[], options: RunOptions = {}): Promise<void> {
    this.checkAlive();
    requireString('label', label);
    this.check(steps);
    if (this.submitsAtOnce(steps)) {
      options.beforeSubmit?.();
      this.submit(label, steps, steps.map((step) => ('program' in step ? this.compiled.get(step.program.key) : undefined)));
      return;
    }
    // Compiles start now; the submission waits for its turn.
    const pipelines = Promise.all(steps.map((step) => ('program' in step ? this.pipeline(step.program) : undefined)));
    pipelines.catch(() => {});
    this.queued++;
    const turn = this.tail.then(async () => {
      try {
        const compiled = await pipelines;
        this.checkAlive();
        options.beforeSubmit?.();
        this.submit(label, steps, compiled);
      } finally {
        this.queued--;
      }
    });
    this.tail = turn.catch(() => {});
    return turn;
  }

  /**
   * Whether `run(steps)` would submit before it returns (no run waiting, every pipeline compiled).
   * Work that would not must not depend on buffers the caller may change meanwhile: a layer
   * snapshots the weights such work reads (`submitNow`).
   */
  submitsAtOnce(steps: readonly Step[]): boolean {
    return this.queued === 0 && steps.every((step) => !('program' in step) || this.compiled.has(step.program.key));
  }

  /**
   * Submits copies at once, ahead of any run waiting for its turn: only for copies from buffers
   * no waiting run writes, into buffers no waiting run uses (snapshots for queued work).
   */
  submitNow(label: string, copies: readonly Copy[]): void {
    this.checkAlive();
    this.check(copies);
    this.submit(label, copies, []);
  }

  /** Throws LinearConvError (naming the binding) for a step the device would refuse or that would fail mid-encode. */
  check(steps: readonly Step[]): void {
    if (!Array.isArray(steps)) throw new LinearConvError('steps', 'must be an array of steps ({ program, buffers } or { copy })');
    steps.forEach((step, i) => {
      if (step !== null && typeof step === 'object' && 'program' in step) this.checkDispatch(step, i);
      else if (step !== null && typeof step === 'object' && 'copy' in step) this.checkCopy(step, i);
      else throw new LinearConvError(`steps[${i}]`, 'must be { program, buffers } or { copy }');
    });
  }

  private checkDispatch({ program, buffers }: Dispatch, index: number): void {
    if (!Array.isArray(buffers) || buffers.length !== program.bindings.length) {
      throw new LinearConvError(`steps[${index}].buffers`, `${program.key}: ${program.bindings.length} buffers expected, got ${Array.isArray(buffers) ? buffers.length : 'none'}`);
    }
    const limit = this.device.limits.maxStorageBufferBindingSize;
    program.bindings.forEach((binding, i) => {
      const buffer = requireBuffer(binding.name, buffers[i], STORAGE);
      if (binding.bytes > limit) {
        throw new LinearConvError(
          binding.name,
          `needs a binding of ${binding.bytes} bytes, more than this device's maxStorageBufferBindingSize (${limit}); use a smaller batch or input`,
        );
      }
      if (buffer.size < binding.bytes) {
        throw new LinearConvError(binding.name, `must be a buffer of at least ${binding.bytes} bytes, got ${buffer.size}`);
      }
      // WebGPU refuses a buffer bound writable and bound again in the same dispatch.
      const other = program.bindings.findIndex((b, j) => j !== i && buffers[j] === buffer && (b.access === 'read_write' || binding.access === 'read_write'));
      if (other >= 0 && binding.access === 'read_write') {
        throw new LinearConvError(binding.name, `must not be the same buffer as ${program.bindings[other].name}`);
      }
    });
  }

  private checkCopy({ copy }: Copy, index: number): void {
    const field = `steps[${index}].copy`;
    const from = requireBuffer(`${field}.from`, copy?.from, COPY_SRC);
    const to = requireBuffer(`${field}.to`, copy.to, COPY_DST);
    const fromOffset = requireBytes(`${field}.fromOffset`, copy.fromOffset ?? 0);
    const toOffset = requireBytes(`${field}.toOffset`, copy.toOffset ?? 0);
    const bytes = requireBytes(`${field}.bytes`, copy.bytes);
    if (fromOffset + bytes > from.size || toOffset + bytes > to.size) {
      throw new LinearConvError(`${field}.bytes`, `${bytes} bytes do not fit (from ${fromOffset} of ${from.size}, to ${toOffset} of ${to.size})`);
    }
  }

  /** Encodes and submits checked steps now; error scopes are popped and uniform buffers released whatever happens. */
  private submit(label: string, steps: readonly Step[], pipelines: readonly (GPUComputePipeline | undefined)[]): void {
    if (steps.length === 0) return;
    const { device } = this;
    const uniformBuffers: GPUBuffer[] = [];
    let submitted = false;
    device.pushErrorScope('out-of-memory');
    device.pushErrorScope('validation');
    try {
      const encoder = device.createCommandEncoder({ label });
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
        pass.setPipeline(pipelines[i]!);
        const { uniforms, bindings } = step.program;
        const entries: GPUBindGroupEntry[] = step.buffers.map((buffer, b) => ({ binding: b, resource: { buffer, size: bindings[b].bytes } }));
        if (uniforms) {
          const values = uniforms.layout.pack(uniforms.values);
          const buffer = device.createBuffer({ label: `${step.program.key} params`, size: uniforms.layout.bytes, usage: UNIFORM | COPY_DST });
          uniformBuffers.push(buffer);
          device.queue.writeBuffer(buffer, 0, values);
          entries.push({ binding: bindings.length, resource: { buffer } });
        }
        pass.setBindGroup(0, device.createBindGroup({ label: step.program.key, layout: this.layout(bindings, uniforms !== undefined).group, entries }));
        const [x, y, z] = step.program.workgroups;
        pass.dispatchWorkgroups(x, y, z);
      });
      pass?.end();
      device.queue.submit([encoder.finish()]);
      submitted = true;
    } finally {
      // Submitted work keeps them alive until it completes; unsubmitted work needs them no more.
      for (const buffer of uniformBuffers) buffer.destroy();
      const scopes = Promise.all([device.popErrorScope(), device.popErrorScope()]);
      if (submitted) {
        const reported = scopes.then(
          ([v, m]) => (v ?? m ? new GpuOperationError(label, (v ?? m)!.message) : undefined),
          () => undefined, // a lost device: reported by settle()
        );
        const earlier = this.pendingError;
        this.pendingError = earlier.then(async (first) => first ?? (await reported));
      } else {
        // The call failed as it was encoded and says so itself; what the scopes caught was part of it.
        scopes.catch(() => {});
      }
    }
  }

  /** Waits for the work called so far (queued runs submitted, then done); throws the first error the device reported for it. */
  async sync(): Promise<void> {
    await this.settle(this.tail);
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
