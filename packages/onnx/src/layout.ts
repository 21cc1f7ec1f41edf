/**
 * TensorFlow.js is channelsLast (NHWC activations, HWIO kernels); ONNX's Conv and pools are
 * NCHW/OIHW. An exported model takes NHWC input like the tfjs model, transposes it to NCHW once,
 * runs NCHW inside and transposes back where tfjs's order is observable (4-D outputs, Flatten,
 * Reshape, Dense on 4-D input).
 */

/** Transpose perm from NHWC to NCHW. */
export const TO_CHANNELS_FIRST = [0, 3, 1, 2] as const;
/** Transpose perm from NCHW to NHWC. */
export const TO_CHANNELS_LAST = [0, 2, 3, 1] as const;

/** A tfjs kernel [kh, kw, I, O] as an ONNX filter bank [O, I, kh, kw]. */
export function hwioToOihw(data: ArrayLike<number>, shape: readonly number[]): Float32Array {
  const [kh, kw, ci, co] = shape;
  const out = new Float32Array(data.length);
  for (let y = 0; y < kh; y++) {
    for (let x = 0; x < kw; x++) {
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) out[((o * ci + i) * kh + y) * kw + x] = data[((y * kw + x) * ci + i) * co + o];
      }
    }
  }
  return out;
}

/** A tfjs axis of a rank-`rank` tensor as the same axis of the graph's tensor (NCHW when rank is 4). */
export function graphAxis(axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  return rank === 4 ? [0, 2, 3, 1][a] : a;
}
