import { LinearConvError } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorrelationRegularizer, correlation, OrthogonalityRegularizer, orthogonality } from './regularizers.js';

/** A seeded [3, 3, 2, 4] kernel: every step the schedule picks gives the same positive penalty. */
const kernel = () => tf.randomNormal([3, 3, 2, 4], 0, 1, 'float32', 7);

/** Which of `steps` calls of `apply` added the penalty. */
function fired(regulariser: { apply(x: tf.Tensor): tf.Scalar }, steps: number): number[] {
  return tf.tidy(() => {
    const x = kernel();
    return Array.from({ length: steps }, () => regulariser.apply(x).dataSync()[0])
      .map((value, step) => (value > 0 ? step : -1))
      .filter((step) => step >= 0);
  });
}

describe('regulariser schedule: offset, step and resetSchedule', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('fires on steps 0, every, 2·every, … by default', () => {
    expect(fired(correlation({ every: 4 }), 10)).toEqual([0, 4, 8]);
  });

  it('fires on offset, offset + every, … with an offset', () => {
    expect(fired(correlation({ every: 4, offset: 3 }), 12)).toEqual([3, 7, 11]);
    expect(fired(orthogonality({ every: 10, offset: 9 }), 30)).toEqual([9, 19, 29]);
    expect(fired(correlation({ every: 1, offset: 0 }), 3)).toEqual([0, 1, 2]);
  });

  it("restarts the count at resetSchedule(): the authors' per-epoch phase", () => {
    const regulariser = correlation({ every: 10, offset: 9 });
    // Epochs of 15 batches: the penalty on batches 9 of each epoch (global steps 9 and 24), not on global step 19.
    const epochs = [0, 1].map(() => {
      regulariser.resetSchedule();
      expect(regulariser.step).toBe(0);
      return fired(regulariser, 15);
    });
    expect(epochs).toEqual([[9], [9]]);
    expect(regulariser.step).toBe(15);
  });

  it('continues from a written step, as a resumed run restores it', () => {
    const regulariser = correlation({ every: 5, offset: 2 });
    regulariser.step = 6;
    // Steps 6..12: the penalty on 7 and 12, the 2nd and 7th calls.
    expect(fired(regulariser, 7)).toEqual([1, 6]);
    expect(regulariser.step).toBe(13);
  });

  it('gives the same penalty on a fired step whatever the offset', () => {
    const value = (offset: number) =>
      tf.tidy(() => {
        const r = correlation({ weight: 0.5, every: 3, offset });
        r.step = offset;
        return r.apply(kernel()).dataSync()[0];
      });
    expect(value(2)).toBe(value(0));
  });

  it('refuses a bad offset or step, naming the option and the rule', () => {
    const error = (make: () => unknown) => {
      try {
        make();
      } catch (e) {
        return e;
      }
      throw new Error('no error');
    };
    for (const offset of [10, -1, 1.5, Number.NaN, '1']) {
      const e = error(() => correlation({ every: 10, offset: offset as number }));
      expect(e).toBeInstanceOf(LinearConvError);
      expect(e).toMatchObject({ field: 'offset', rule: expect.stringContaining('0 ≤ offset < every (10)') });
    }
    expect(error(() => orthogonality({ offset: 10 }))).toMatchObject({ field: 'offset' });
    const r = correlation();
    for (const step of [-1, 0.5, Number.POSITIVE_INFINITY]) {
      const e = error(() => {
        r.step = step;
      });
      expect(e).toBeInstanceOf(LinearConvError);
      expect(e).toMatchObject({ field: 'step', rule: expect.stringContaining('integer ≥ 0') });
    }
    expect(r.step).toBe(0);
  });

  it('serialises the offset in getConfig / fromConfig, and reads configs saved without one as 0', () => {
    for (const [cls, make] of [
      [CorrelationRegularizer, correlation],
      [OrthogonalityRegularizer, orthogonality],
    ] as const) {
      const config = make({ weight: 0.2, every: 7, offset: 5 }).getConfig();
      expect(config).toEqual({ weight: 0.2, every: 7, offset: 5 });
      const restored = cls.fromConfig(cls as never, config) as CorrelationRegularizer | OrthogonalityRegularizer;
      expect(restored).toBeInstanceOf(cls);
      expect(restored.getConfig()).toEqual(config);
      expect(restored.step).toBe(0);
      const old = cls.fromConfig(cls as never, { weight: 0.2, every: 7 }) as CorrelationRegularizer | OrthogonalityRegularizer;
      expect(old.offset).toBe(0);
    }
  });

  it('round-trips the schedule through a saved model', async () => {
    const model = tf.sequential({
      layers: [tf.layers.conv2d({ filters: 4, kernelSize: 3, inputShape: [5, 5, 2], kernelRegularizer: correlation({ every: 10, offset: 9 }) })],
    });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        saved = artifacts;
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const regulariser = (loaded.layers[0] as unknown as { kernelRegularizer: CorrelationRegularizer }).kernelRegularizer;
    expect(regulariser).toBeInstanceOf(CorrelationRegularizer);
    expect(regulariser.getConfig()).toEqual({ weight: 0.01, every: 10, offset: 9 });
    model.dispose();
    loaded.dispose();
  });
});
