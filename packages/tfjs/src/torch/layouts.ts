/**
 * PyTorch OIHW / [out, in] layouts to tfjs HWIO / [in, out], as plain index permutations on
 * row-major Float32Arrays (no tfjs ops, so nothing to dispose and exact to the bit).
 */

/** A conv weight [F, C/g, kh, kw] (PyTorch) as a tfjs kernel [kh, kw, C/g, F]. */
export function oihwToHwio(data: ArrayLike<number>, [o, i, h, w]: readonly number[]): Float32Array {
  const out = new Float32Array(o * i * h * w);
  for (let a = 0; a < o; a++) {
    for (let b = 0; b < i; b++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[((y * w + x) * i + b) * o + a] = data[((a * i + b) * h + y) * w + x];
      }
    }
  }
  return out;
}

/**
 * A depthwise weight [C·m, 1, kh, kw] (PyTorch, groups = C) as tfjs's depthwise kernel
 * [kh, kw, C, m]: output channel c·m + j of both reads input channel c.
 */
export function depthwiseToHwcm(data: ArrayLike<number>, [f, , h, w]: readonly number[], channels: number): Float32Array {
  const m = f / channels;
  const out = new Float32Array(f * h * w);
  for (let c = 0; c < channels; c++) {
    for (let j = 0; j < m; j++) {
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) out[((y * w + x) * channels + c) * m + j] = data[((c * m + j) * h + y) * w + x];
      }
    }
  }
  return out;
}

/**
 * A Linear weight [out, in] (PyTorch) as a tfjs Dense kernel [in, out]. When the Linear reads a
 * flattened [C, H, W] map, PyTorch's input index is c·H·W + h·W + w and tfjs's (NHWC flatten) is
 * (h·W + w)·C + c: the rows are permuted accordingly (`flattened` = [H, W, C]); a plain
 * transpose would silently scramble the features.
 */
export function linearToDense(data: ArrayLike<number>, [out, inputs]: readonly number[], flattened?: readonly [number, number, number]): Float32Array {
  const kernel = new Float32Array(out * inputs);
  const [h, w, c] = flattened ?? [1, 1, inputs];
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      for (let ch = 0; ch < c; ch++) {
        const row = (y * w + x) * c + ch;
        const torchIndex = (ch * h + y) * w + x;
        for (let o = 0; o < out; o++) kernel[row * out + o] = data[o * inputs + torchIndex];
      }
    }
  }
  return kernel;
}
