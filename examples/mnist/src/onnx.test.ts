import { exportModel, loadOnnxRuntime, runModel } from '@linearconv/onnx/node';
import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { trainDigits } from './train.js';

// The trained digits models, exported compact and folded, give tfjs's outputs in onnxruntime-web
// (wasm) and onnxruntime-node, within 1e-4.
it('exports the trained digits models to ONNX with the same outputs', async () => {
  const checked: string[] = [];
  await trainDigits({
    train: 500,
    test: 64,
    epochs: 1,
    batchSize: 32,
    seed: 5,
    onTrained: async (variant, model, testImages) => {
      const expected = tf.tidy(() => (model.predict(testImages) as tf.Tensor).dataSync() as Float32Array);
      const input = { shape: testImages.shape, data: testImages.dataSync() as Float32Array };
      for (const mode of ['compact', 'folded'] as const) {
        const bytes = exportModel(model, { mode });
        for (const runtime of ['web', 'node'] as const) {
          const { output } = await runModel(await loadOnnxRuntime(runtime), bytes, { input });
          expect(output.shape).toEqual([64, 10]);
          const worst = output.data.reduce((m, v, i) => Math.max(m, Math.abs(v - expected[i])), 0);
          expect(worst, `${variant} ${mode} ${runtime}`).toBeLessThan(1e-4);
          checked.push(`${variant}/${mode}/${runtime}`);
        }
      }
    },
  });
  expect(checked).toHaveLength(8);
});
