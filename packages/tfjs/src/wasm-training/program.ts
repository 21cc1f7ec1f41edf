import { getKernel, type KernelBackend, type KernelFunc, type NamedAttrMap, type NamedTensorInfoMap, type TensorInfo } from '@tensorflow/tfjs-core';

export type Shape4 = [number, number, number, number];
export type Pair = [number, number];
export type ExplicitPad = [[0, 0], Pair, Pair, [0, 0]];

export const BACKEND = 'wasm';

/**
 * The kernels this package replaced, as they were, so that a composed kernel can still call
 * wasm's own (e.g. a plain BatchMatMul after transposing explicitly).
 */
export const replaced = new Map<string, KernelFunc>();

/**
 * Runs wasm kernels on TensorInfos and frees every intermediate once the
 * composed kernel is done (or throws), keeping only the returned result.
 * Each TensorInfo a wasm kernel returns owns one reference to its data
 * (Reshape shares the data id but increments its count), so disposing each
 * intermediate once is exactly balanced.
 */
export class Program {
  private readonly temps: TensorInfo[] = [];
  constructor(readonly backend: KernelBackend) {}

  run(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}): TensorInfo {
    const own = replaced.get(name);
    const kernelFunc = own ?? (getKernel(name, BACKEND) as ReturnType<typeof getKernel> | undefined)?.kernelFunc;
    if (kernelFunc == null) {
      throw new Error(`enableWasmTraining: the wasm backend has no '${name}' kernel`);
    }
    return this.keep(kernelFunc({ inputs, attrs, backend: this.backend }) as TensorInfo);
  }

  private keep(out: TensorInfo): TensorInfo {
    this.temps.push(out);
    return out;
  }

  transpose(x: TensorInfo, perm: number[]): TensorInfo {
    return this.run('Transpose', { x }, { perm });
  }

  reshape(x: TensorInfo, shape: number[]): TensorInfo {
    return this.run('Reshape', { x }, { shape });
  }

  scalar(value: number): TensorInfo {
    return this.run('Fill', {}, { shape: [], value, dtype: 'float32' });
  }

  /**
   * Convolution padding cannot be negative, but the composed convolutions
   * sometimes need to ignore trailing (or leading) input rows/columns.
   * Slice those away and return the non-negative padding that remains.
   */
  cropForPadding(x: TensorInfo, [top, bottom]: Pair, [left, right]: Pair): [TensorInfo, ExplicitPad] {
    const pad: ExplicitPad = [[0, 0], [Math.max(top, 0), Math.max(bottom, 0)], [Math.max(left, 0), Math.max(right, 0)], [0, 0]];
    if (top >= 0 && bottom >= 0 && left >= 0 && right >= 0) return [x, pad];
    const [n, h, w, c] = x.shape;
    const begin = [0, Math.max(-top, 0), Math.max(-left, 0), 0];
    const size = [n, h + Math.min(top, 0) + Math.min(bottom, 0), w + Math.min(left, 0) + Math.min(right, 0), c];
    return [this.run('Slice', { x }, { begin, size }), pad];
  }

  /** [N, oh, ow, C] → [N, oh·sh, ow·sw, C] with each value at stride multiples and zeros between. */
  zeroUpsample(dy: TensorInfo, [sh, sw]: Pair): TensorInfo {
    if (sh === 1 && sw === 1) return dy;
    const [n, oh, ow, c] = dy.shape;
    const split = this.reshape(dy, [n, oh, 1, ow, 1, c]);
    const zeros = this.run('PadV2', { x: split }, { paddings: [[0, 0], [0, 0], [0, sh - 1], [0, 0], [0, sw - 1], [0, 0]], constantValue: 0 });
    return this.reshape(zeros, [n, oh * sh, ow * sw, c]);
  }

  /**
   * A filter [kh, kw, …] turned 180° in its spatial axes. wasm's Reverse is a scalar loop (10 ms
   * for a 3×3×128×256 filter); the taps are contiguous blocks, so slicing them out and
   * concatenating them in reverse order is kh·kw copies (about 2 ms).
   */
  flipSpatial(filter: TensorInfo): TensorInfo {
    const [kh, kw, ...rest] = filter.shape;
    const taps = kh * kw;
    if (taps === 1) return filter;
    const block = rest.reduce((a, b) => a * b, 1);
    const rows = this.reshape(filter, [taps, block]);
    const reversed = Array.from({ length: taps }, (_, k) => this.run('Slice', { x: rows }, { begin: [taps - 1 - k, 0], size: [1, block] }));
    return this.reshape(this.concat(reversed, 0), filter.shape);
  }

  concat(tensors: TensorInfo[], axis: number): TensorInfo {
    // Concat takes its inputs as an array, not a name map.
    return this.run('Concat', tensors as unknown as NamedTensorInfoMap, { axis });
  }

  dispose(result: TensorInfo): TensorInfo {
    for (const t of this.temps) if (t !== result) this.backend.disposeData(t.dataId);
    return result;
  }
}

/** Builds a KernelFunc whose intermediates are freed even if it throws. */
export function composed<A>(body: (p: Program, inputs: NamedTensorInfoMap, attrs: A) => TensorInfo): KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const p = new Program(backend as KernelBackend);
    let result: TensorInfo | undefined;
    try {
      result = body(p, inputs, attrs as unknown as A);
      return result;
    } finally {
      // On an exception `result` is undefined and everything is freed.
      p.dispose(result as TensorInfo);
    }
  };
}

export function pair(v: number | [number, number] | undefined): Pair {
  if (v == null) return [1, 1];
  return typeof v === 'number' ? [v, v] : v;
}
