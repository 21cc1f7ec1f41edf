import { parseArgs } from 'node:util';
import { zooModels } from '@linearconv/core';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { adapter, ensureTfjsBackend } from '../backends.js';
import { EXIT, type Io, UsageError } from '../io.js';
import { parsePositive, parseVariant } from '../args.js';

export const importTorchUsage = `linearconv import-torch CKPT --arch ${zooModels.join('|')} --out DIR | FILE.onnx [--in-channels C] [--classes K] [--variant conv|full|lowrank] [--rank R] [--entry NAME] [--mode compact|folded] [--layout nhwc|nchw]

Imports a PyTorch checkpoint of one of the paper's models, trained with the authors' model
files (kkahatapitiya/LinearConv): a torch.save file (state_dict, or the authors' dict with
model_state_dict) or .safetensors. Variant, ranks, input channels and classes are read from the
tensor shapes; the options, when given, must agree. Writes a TensorFlow.js model directory
(model.json + weights.bin) or, for --out FILE.onnx, an ONNX file (--mode compact, the default,
or folded). --layout nchw gives PyTorch's NCHW input (default nhwc, as tfjs).`;

const FEATURE = 'linearconv import-torch';

export async function importTorchCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      arch: { type: 'string' },
      out: { type: 'string' },
      'in-channels': { type: 'string' },
      classes: { type: 'string' },
      variant: { type: 'string' },
      rank: { type: 'string' },
      entry: { type: 'string' },
      mode: { type: 'string' },
      layout: { type: 'string', default: 'nhwc' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (positionals.length !== 1) throw new UsageError('give one checkpoint file (CKPT)');
  if (!values.arch) throw new UsageError(`--arch is required (${zooModels.join(', ')})`);
  if (!values.out) throw new UsageError('--out DIR (a tfjs model directory) or --out FILE.onnx is required');
  const onnxOut = values.out.toLowerCase().endsWith('.onnx');
  if (values.mode !== undefined && values.mode !== 'compact' && values.mode !== 'folded') throw new UsageError(`--mode must be compact or folded, got "${values.mode}"`);
  if (values.mode !== undefined && !onnxOut) throw new UsageError('--mode applies to an ONNX file (--out FILE.onnx) only');
  const layout = values.layout.toLowerCase();
  if (layout !== 'nhwc' && layout !== 'nchw') throw new UsageError(`--layout must be nhwc or nchw, got "${values.layout}"`);
  const variant = values.variant === undefined ? undefined : parseVariant(values.variant);
  const options = {
    arch: values.arch,
    ...(variant && { variant }),
    ...(values.rank !== undefined && { rank: parsePositive('rank', values.rank) }),
    ...(values['in-channels'] !== undefined && { inChannels: parsePositive('in-channels', values['in-channels']) }),
    ...(values.classes !== undefined && { classes: parsePositive('classes', values.classes) }),
  };

  const torch = await adapter('@linearconv/torch', () => import('@linearconv/torch/node'), FEATURE);
  const stateDict = await torch.readTorchFile(positionals[0], values.entry === undefined ? {} : { entry: values.entry });
  await ensureTfjsBackend(FEATURE);
  const importer = await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs/torch'), FEATURE);
  const model = await importer.importTorchStateDict(stateDict, options);
  try {
    const { trainableParams } = await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs'), FEATURE);
    const summary = describeModel(model, trainableParams(model));
    if (onnxOut) {
      const onnx = await adapter('@linearconv/onnx', () => import('@linearconv/onnx/node'), FEATURE);
      const bytes = onnx.exportModel(model, { mode: values.mode === 'folded' ? 'folded' : 'compact', layout });
      const path = await onnx.writeModelFile(values.out, bytes);
      io.out(`${path}: ONNX (${values.mode ?? 'compact'}, ${layout.toUpperCase()} input), ${summary}, ${(bytes.byteLength / 1024).toFixed(1)} KiB`);
    } else {
      const { fileSystem } = await adapter('@linearconv/tfjs', () => import('@linearconv/tfjs/node'), FEATURE);
      const saved = layout === 'nchw' ? importer.channelsFirstInput(model) : model;
      await saved.save(fileSystem(values.out));
      io.out(`${values.out}: TensorFlow.js model (model.json + weights.bin, ${layout.toUpperCase()} input), ${summary}`);
    }
  } finally {
    model.dispose();
  }
  return EXIT.ok;
}

/** "base, full, 4 LinearConv2D layers (ranks 8–64), 227,418 trainable values". */
function describeModel(model: LayersModel, trainable: number): string {
  const linear = model.layers.filter((l) => l.getClassName() === 'LinearConv2D');
  const ranks = linear.map((l) => (l.getConfig().coefficients as { kind: string; rank?: number }).rank).filter((r): r is number => r !== undefined);
  const rankText = ranks.length === 0 ? '' : ` (rank${new Set(ranks).size > 1 ? `s ${Math.min(...ranks)}–${Math.max(...ranks)}` : ` ${ranks[0]}`})`;
  return `${model.name}, ${linear.length} LinearConv2D layer${linear.length === 1 ? '' : 's'}${rankText}, ${trainable.toLocaleString('en-US')} trainable values`;
}
