/**
 * The two digit classifiers the training view compares: the same small CNN, once with
 * tf.layers.conv2d and once with LinearConv2D (half the filters learned, the rest combinations).
 */
import { correlation, LinearConv2D, linearConv2d, trainableParams } from '@linearconv/tfjs';
import { initializers, type LayersModel, layers, sequential } from '@tensorflow/tfjs-layers';

export type ModelKind = 'conv' | 'linearconv';
export const modelKinds: readonly ModelKind[] = ['conv', 'linearconv'];

/** Filters of the two 3×3 convolutions. */
export const WIDTHS = [8, 16] as const;

/**
 * 28×28×1 → conv3×3 (8) + ReLU → maxpool 2 → conv3×3 (16) + ReLU → maxpool 2 → dense 10 (softmax).
 * Seeded initialisers: the same seed gives the same starting weights. The LinearConv model carries
 * the paper's correlation regulariser on its primaries.
 */
export function digitModel(kind: ModelKind, inputShape: [number, number, number], seed: number): LayersModel {
  let s = seed;
  const kernelInitializer = () => initializers.glorotUniform({ seed: s++ });
  const conv = (name: string, filters: number, first: boolean) => {
    const args = { name, filters, kernelSize: 3, padding: 'same' as const, activation: 'relu' as const, kernelInitializer: kernelInitializer(), ...(first && { inputShape }) };
    if (kind === 'conv') return layers.conv2d(args);
    return linearConv2d({ ...args, coefficientsInitializer: initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: s++ }), kernelRegularizer: correlation() });
  };
  const [a, b] = WIDTHS;
  return sequential({
    name: kind,
    layers: [
      conv('conv1', a, true),
      layers.maxPooling2d({ name: 'pool1', poolSize: 2 }),
      conv('conv2', b, false),
      layers.maxPooling2d({ name: 'pool2', poolSize: 2 }),
      layers.flatten({ name: 'flatten' }),
      layers.dense({ name: 'fc', units: 10, activation: 'softmax', kernelInitializer: kernelInitializer() }),
    ],
  });
}

export interface ParamCounts {
  /** Every trainable weight (trainableParams). */
  readonly total: number;
  /** The convolutions' only: where LinearConv saves. */
  readonly conv: number;
}

export function paramCounts(model: LayersModel): ParamCounts {
  const size = (w: { shape: readonly (number | null)[] }) => w.shape.reduce<number>((a, b) => a * (b ?? 1), 1);
  const convLayers = model.layers.filter((l) => l.getClassName() === 'Conv2D' || l instanceof LinearConv2D);
  return { total: trainableParams(model), conv: convLayers.flatMap((l) => l.trainableWeights).reduce((n, w) => n + size(w), 0) };
}

/** The model's LinearConv2D layers, in order. */
export function linearConvLayers(model: LayersModel): LinearConv2D[] {
  return model.layers.filter((l): l is LinearConv2D => l instanceof LinearConv2D);
}
