import { describe, LinearConvError, requireBoolean, requireOptions } from './errors.js';
import type { LayerSpec, Pair } from './spec.js';
import { convGeometry, filterLength, requireConvSpec, requireLayerSpec, requireSize } from './spec.js';

/**
 * Parameter and cost accounting, conv vs LinearConv (README: Accounting and the model zoo). Every count is an exact integer
 * for one image (batch 1); the result of `modelAccount` states the conventions it used. Specs are
 * validated (sizes up to MAX_SIZE), and a count beyond Number.MAX_SAFE_INTEGER, where it could no
 * longer be exact, is refused with a LinearConvError rather than rounded.
 */

/** A plain convolution: a LayerSpec without the LinearConv fields (a LayerSpec is accepted as one). */
export type PlainConvSpec = Pick<
  LayerSpec,
  'inChannels' | 'outChannels' | 'kernelSize' | 'strides' | 'padding' | 'dilation' | 'groups' | 'useBias'
>;

/** A conv layer on a given input size; `linearConv` set means it runs as LinearConv. */
export interface ConvRecord {
  readonly name: string;
  readonly op: 'conv';
  readonly conv: PlainConvSpec;
  readonly linearConv?: LayerSpec;
  /** [height, width] of the layer's input. */
  readonly inputSize: Pair;
}

export interface BatchNormRecord {
  readonly name: string;
  readonly op: 'batchNorm';
  readonly channels: number;
}

export interface DenseRecord {
  readonly name: string;
  readonly op: 'dense';
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly useBias: boolean;
}

/** Layers without trainable parameters; they add no MACs under these conventions. */
export type ParameterFreeOp =
  | 'relu'
  | 'relu6'
  | 'maxPool'
  | 'avgPool'
  | 'globalAvgPool'
  | 'flatten'
  | 'add'
  | 'dropout';

export interface ParameterFreeRecord {
  readonly name: string;
  readonly op: ParameterFreeOp;
}

/** What `modelAccount` reads. The zoo's nodes are such records. */
export type AccountedLayer = ConvRecord | BatchNormRecord | DenseRecord | ParameterFreeRecord;

/** Authors' counting quirks, off by default (README: Accounting and the model zoo). */
export interface AccountingQuirks {
  /**
   * Count a grouped conv's MACs with the full C instead of C/g, as the paper's FLOP counts for
   * grouped layers do. Changes no parameter count.
   */
  readonly groupedMacsFullChannels?: boolean;
}

export interface AccountOptions {
  /** Add one FLOP per bias add to `flops`. Default false (FLOPs = 2·MACs). Bias adds are always reported. */
  readonly countBias?: boolean;
  /**
   * Add each LinearConv layer's composition FLOPs to `flops`, once per forward at batch 1, as the
   * paper's FLOP column does. Default false: at inference W is composed once and costs nothing.
   */
  readonly countComposition?: boolean;
  readonly quirks?: AccountingQuirks;
}

export interface AccountConventions {
  readonly batch: 1;
  readonly flopsPerMac: 2;
  readonly biasCounted: boolean;
  readonly compositionCounted: boolean;
  readonly groupedMacsFullChannels: boolean;
  readonly macsCount: 'conv and dense multiply-accumulates; batch norm, activations, pooling and adds count zero';
  readonly paramsCount: 'trainable (BatchNorm gamma/beta counted, running statistics not)';
}

export interface LayerAccount {
  readonly name: string;
  readonly op: AccountedLayer['op'];
  /** LinearConv when the layer runs as one. */
  readonly linearConv: boolean;
  readonly params: number;
  /** The same layer as a plain conv; equals `params` for every layer that is not LinearConv. */
  readonly baselineParams: number;
  readonly macs: number;
  readonly biasAdds: number;
  /** The layer's composition cost, whether or not `flops` includes it. */
  readonly compositionFlops: number;
  readonly flops: number;
  /** Low rank with R > min(p, F − p): legal, but no more expressive than rank min(p, F − p). */
  readonly rankExceedsMin: boolean;
  readonly notes: readonly string[];
}

/** The countable columns of the layer rows, summed over the model. */
export type AccountTotals = Pick<LayerAccount, 'params' | 'baselineParams' | 'macs' | 'biasAdds' | 'compositionFlops' | 'flops'>;

export interface ModelAccount {
  readonly layers: readonly LayerAccount[];
  readonly total: AccountTotals;
  readonly conventions: AccountConventions;
}

/** Plain conv: F·D + F·[b]. */
export function convParams(spec: PlainConvSpec): number {
  const conv = requireConvSpec('spec', spec);
  const f = conv.outChannels;
  return f * filterLength(conv) + (conv.useBias ? f : 0);
}

/** LinearConv: p·D + s·p + F·[b] (full) or p·D + R·(s + p) + F·[b] (low rank). */
export function linearConvParams(spec: LayerSpec): number {
  spec = requireLayerSpec('spec', spec);
  const f = spec.outChannels;
  const p = spec.primaryFilters;
  const s = f - p;
  const coefficients = spec.coefficients.kind === 'full' ? s * p : spec.coefficients.rank * (s + p);
  return p * filterLength(spec) + coefficients + (spec.useBias ? f : 0);
}

/** Trainable parameters of one layer record. */
export function countParams(layer: AccountedLayer): number {
  return paramsOf(requireRecord('layer', layer));
}

function paramsOf(layer: AccountedLayer): number {
  switch (layer.op) {
    case 'conv':
      return layer.linearConv ? linearConvParams(layer.linearConv) : convParams(layer.conv);
    case 'batchNorm':
      return 2 * layer.channels;
    case 'dense':
      return exact('layer', layer.inFeatures * layer.outFeatures + (layer.useBias ? layer.outFeatures : 0));
    default:
      return 0;
  }
}

/** Output positions F·H'·W' of a conv on an input of `inputSize`. */
function outputElements(spec: PlainConvSpec, inputSize: Pair): number {
  const { outHeight, outWidth } = convGeometry(spec, inputSize[0], inputSize[1]);
  return spec.outChannels * outHeight * outWidth;
}

/** Conv MACs at batch 1: F·H'·W'·D. The composed bank runs a plain conv, so LinearConv costs the same. */
export function countMacs(spec: PlainConvSpec, inputSize: Pair, quirks: AccountingQuirks = {}): number {
  return macsOf(requireConvSpec('spec', spec), requireInputSize('inputSize', inputSize), requireQuirks('quirks', quirks), 'inputSize');
}

function macsOf(spec: PlainConvSpec, inputSize: Pair, quirks: AccountingQuirks, field: string): number {
  const d = quirks.groupedMacsFullChannels
    ? spec.inChannels * spec.kernelSize[0] * spec.kernelSize[1]
    : filterLength(spec);
  return exact(field, outputElements(spec, inputSize) * d);
}

/** One add per output element when the conv has a bias: F·H'·W'·[b]. */
export function convBiasAdds(spec: PlainConvSpec, inputSize: Pair): number {
  const conv = requireConvSpec('spec', spec);
  return conv.useBias ? outputElements(conv, requireInputSize('inputSize', inputSize)) : 0;
}

/**
 * FLOPs to build the secondary filters once: (2p − 1)·s·D (full), or (2p − 1)·R·D + (2R − 1)·s·D
 * (low rank: Row·flat(P) first, then Col times that). Each dot product of length n is n
 * multiplies and n − 1 adds.
 */
export function compositionFlops(spec: LayerSpec): number {
  spec = requireLayerSpec('spec', spec);
  const d = filterLength(spec);
  const p = spec.primaryFilters;
  const s = spec.outChannels - p;
  if (spec.coefficients.kind === 'full') return exact('spec', (2 * p - 1) * s * d);
  const r = spec.coefficients.rank;
  return exact('spec', (2 * p - 1) * r * d + (2 * r - 1) * s * d);
}

/** True for a low-rank layer whose R exceeds min(p, F − p), the largest rank [s, p] can have. */
export function rankExceedsMin(spec: LayerSpec): boolean {
  spec = requireLayerSpec('spec', spec);
  if (spec.coefficients.kind !== 'lowRank') return false;
  const p = spec.primaryFilters;
  return spec.coefficients.rank > Math.min(p, spec.outChannels - p);
}

/** One row of the model report. */
export function layerAccount(layer: AccountedLayer, options: AccountOptions = {}): LayerAccount {
  return accountOf(requireRecord('layer', layer), requireAccountOptions(options), 'layer');
}

function accountOf(layer: AccountedLayer, options: AccountOptions, field: string): LayerAccount {
  const params = paramsOf(layer);
  let baselineParams = params;
  let macs = 0;
  let biasAdds = 0;
  let composition = 0;
  let exceeds = false;
  const notes: string[] = [];
  if (layer.op === 'conv') {
    baselineParams = convParams(layer.conv);
    macs = macsOf(layer.conv, layer.inputSize, options.quirks ?? {}, `${field}.inputSize`);
    biasAdds = layer.conv.useBias ? outputElements(layer.conv, layer.inputSize) : 0;
    if (layer.linearConv) {
      composition = compositionFlops(layer.linearConv);
      exceeds = rankExceedsMin(layer.linearConv);
      notes.push(...linearConvNotes(layer.linearConv, params, baselineParams));
    }
  } else if (layer.op === 'dense') {
    macs = layer.inFeatures * layer.outFeatures;
    biasAdds = layer.useBias ? layer.outFeatures : 0;
  }
  const flops = exact(field, 2 * macs + (options.countBias ? biasAdds : 0) + (options.countComposition ? composition : 0));
  return {
    name: layer.name,
    op: layer.op,
    linearConv: layer.op === 'conv' && layer.linearConv !== undefined,
    params,
    baselineParams,
    macs,
    biasAdds,
    compositionFlops: composition,
    flops,
    rankExceedsMin: exceeds,
    notes,
  };
}

function linearConvNotes(spec: LayerSpec, params: number, baseline: number): string[] {
  const notes: string[] = [];
  if (rankExceedsMin(spec) && spec.coefficients.kind === 'lowRank') {
    const r = spec.coefficients.rank;
    const p = spec.primaryFilters;
    const s = spec.outChannels - p;
    const min = Math.min(p, s);
    notes.push(
      `rank ${r} exceeds min(p, F − p) = ${min}: no more expressive than rank ${min}, ` +
        `and its ${r * (s + p)} coefficients outnumber the ${s * p} of a full [s, p]`,
    );
  }
  if (params > baseline) {
    notes.push(`LinearConv grows this layer: ${params} parameters against ${baseline} as a plain conv`);
  }
  return notes;
}

/** Per-layer rows and model totals, with the conventions used. */
export function modelAccount(layers: readonly AccountedLayer[], options: AccountOptions = {}): ModelAccount {
  if (!Array.isArray(layers)) {
    throw new LinearConvError('layers', `must be an array of layer records (a zoo model's nodes), got ${describe(layers)}`);
  }
  requireAccountOptions(options);
  const rows = layers.map((layer, i) => accountOf(requireRecord(`layers[${i}]`, layer), options, `layers[${i}]`));
  const sum = (key: keyof AccountTotals) => exact('layers', rows.reduce((total, row) => total + row[key], 0));
  return {
    layers: rows,
    total: {
      params: sum('params'),
      baselineParams: sum('baselineParams'),
      macs: sum('macs'),
      biasAdds: sum('biasAdds'),
      compositionFlops: sum('compositionFlops'),
      flops: sum('flops'),
    },
    conventions: {
      batch: 1,
      flopsPerMac: 2,
      biasCounted: options.countBias ?? false,
      compositionCounted: options.countComposition ?? false,
      groupedMacsFullChannels: options.quirks?.groupedMacsFullChannels ?? false,
      macsCount: 'conv and dense multiply-accumulates; batch norm, activations, pooling and adds count zero',
      paramsCount: 'trainable (BatchNorm gamma/beta counted, running statistics not)',
    },
  };
}

const parameterFreeOps: readonly string[] = ['relu', 'relu6', 'maxPool', 'avgPool', 'globalAvgPool', 'flatten', 'add', 'dropout'];

/** A count as an exact integer, or a LinearConvError naming what made it too large. */
function exact(field: string, count: number): number {
  if (!Number.isSafeInteger(count)) {
    throw new LinearConvError(field, `gives a count of ${count}, beyond Number.MAX_SAFE_INTEGER (2^53 − 1) where counts stop being exact`);
  }
  return count;
}

function requireInputSize(field: string, value: unknown): Pair {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new LinearConvError(field, `must be [height, width], got ${describe(value)}`);
  }
  return [requireSize(`${field}[0]`, value[0]), requireSize(`${field}[1]`, value[1])];
}

function requireQuirks(field: string, quirks: unknown): AccountingQuirks {
  requireOptions(field, quirks, ['groupedMacsFullChannels']);
  requireBoolean(`${field}.groupedMacsFullChannels`, (quirks as AccountingQuirks).groupedMacsFullChannels);
  return quirks as AccountingQuirks;
}

function requireAccountOptions(options: unknown): AccountOptions {
  requireOptions('options', options, ['countBias', 'countComposition', 'quirks']);
  const o = options as AccountOptions;
  requireBoolean('options.countBias', o.countBias);
  requireBoolean('options.countComposition', o.countComposition);
  if (o.quirks !== undefined) requireQuirks('options.quirks', o.quirks);
  return o;
}

const sameConvFields = ['inChannels', 'outChannels', 'kernelSize', 'strides', 'padding', 'dilation', 'groups', 'useBias'] as const;

/** A layer record checked, with its specs validated (the record's other members kept). */
function requireRecord(field: string, value: unknown): AccountedLayer {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LinearConvError(field, `must be a layer record { name, op, … }, got ${describe(value)}`);
  }
  const record = value as Record<string, unknown>;
  if (typeof record.name !== 'string') {
    throw new LinearConvError(`${field}.name`, `must be a string, got ${describe(record.name)}`);
  }
  switch (record.op) {
    case 'conv': {
      const conv = requireConvSpec(`${field}.conv`, record.conv);
      const inputSize = requireInputSize(`${field}.inputSize`, record.inputSize);
      if (record.linearConv === undefined) return { ...record, conv, inputSize } as unknown as ConvRecord;
      const linearConv = requireLayerSpec(`${field}.linearConv`, record.linearConv);
      for (const key of sameConvFields) {
        if (JSON.stringify(linearConv[key]) !== JSON.stringify(conv[key])) {
          throw new LinearConvError(
            `${field}.linearConv.${key}`,
            `must equal conv.${key} (${describe(conv[key])}): both describe the same layer, got ${describe(linearConv[key])}`,
          );
        }
      }
      return { ...record, conv, inputSize, linearConv } as unknown as ConvRecord;
    }
    case 'batchNorm':
      requireSize(`${field}.channels`, record.channels);
      return record as unknown as BatchNormRecord;
    case 'dense':
      requireSize(`${field}.inFeatures`, record.inFeatures);
      requireSize(`${field}.outFeatures`, record.outFeatures);
      if (typeof record.useBias !== 'boolean') {
        throw new LinearConvError(`${field}.useBias`, `must be a boolean, got ${describe(record.useBias)}`);
      }
      return record as unknown as DenseRecord;
    default:
      if (typeof record.op === 'string' && parameterFreeOps.includes(record.op)) return record as unknown as ParameterFreeRecord;
      throw new LinearConvError(
        `${field}.op`,
        `must be one of conv, batchNorm, dense, ${parameterFreeOps.join(', ')}, got ${describe(record.op)}`,
      );
  }
}
