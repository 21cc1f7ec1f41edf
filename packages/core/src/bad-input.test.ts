import { describe, expect, it } from 'vitest';
import {
  compositionFlops,
  convBiasAdds,
  convParams,
  countMacs,
  countParams,
  layerAccount,
  linearConvParams,
  modelAccount,
  rankExceedsMin,
} from './accounting.js';
import { checkWeights, composeFilters, composeFiltersBackward, weightsAsFloat64 } from './compose.js';
import { cheaperCompositionSpace, compositionSpaceMacs } from './composition-space.js';
import { describe as describeValue, LinearConvError } from './errors.js';
import { fitCoefficients } from './fit.js';
import { initialWeights, xavierUniform } from './initializers.js';
import { convOptions, linearConvBackward, linearConvForward } from './layer.js';
import { createRandom, uniformArray } from './random.js';
import { conv2d, conv2dBackward } from './reference.js';
import { correlationLoss, correlationMatrix, orthogonalityLoss } from './regularizers.js';
import {
  convGeometry,
  filterLength,
  layerSpec,
  MAX_ELEMENTS,
  MAX_SIZE,
  outputShape,
  secondaryFilters,
  weightShapes,
} from './spec.js';
import { zooModel } from './zoo.js';

/**
 * Every public entry point of core, fed what a careless or hostile caller might pass: each row is
 * refused with a LinearConvError naming `field`, and leaves the caller's arguments as they were.
 */
interface Row {
  readonly name: string;
  /** Fresh arguments for each run (what the caller owns). */
  readonly args: () => unknown[];
  readonly call: (...args: never[]) => unknown;
  readonly field: string;
}

const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3, padding: 'same' });
const lowRank = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3, coefficients: { kind: 'lowRank', rank: 1 } });
const weights = () => initialWeights(spec, createRandom(1));
const input = () => ({ shape: [1, 2, 4, 4], data: new Float32Array(32).fill(0.5) });
const filters = () => ({ shape: [4, 2, 3, 3], data: new Float32Array(72).fill(0.25) });
const options = () => ({ strides: [1, 1], padding: [1, 1, 1, 1], dilation: [1, 1], groups: 1 });
const plainConv = { name: 'c', op: 'conv', conv: { ...spec }, inputSize: [8, 8] };

const layerSpecRows: Row[] = [
  { name: 'null', args: () => [null], call: layerSpec, field: 'layer' },
  { name: 'an array', args: () => [[2, 4, 3]], call: layerSpec, field: 'layer' },
  { name: 'a string', args: () => ['conv'], call: layerSpec, field: 'layer' },
  { name: '2^53 channels', args: () => [{ inChannels: 2 ** 53, outChannels: 4, kernelSize: 3 }], call: layerSpec, field: 'inChannels' },
  { name: 'MAX_SIZE + 1 out channels', args: () => [{ inChannels: 1, outChannels: MAX_SIZE + 1, kernelSize: 1 }], call: layerSpec, field: 'outChannels' },
  { name: 'a huge kernel', args: () => [{ inChannels: 1, outChannels: 2, kernelSize: [2 ** 25, 1] }], call: layerSpec, field: 'kernelSize[0]' },
  { name: 'huge strides', args: () => [{ inChannels: 1, outChannels: 2, kernelSize: 1, strides: 2 ** 30 }], call: layerSpec, field: 'strides' },
  { name: 'huge dilation', args: () => [{ inChannels: 1, outChannels: 2, kernelSize: 1, dilation: [1, 2 ** 40] }], call: layerSpec, field: 'dilation[1]' },
  { name: 'huge padding', args: () => [{ inChannels: 1, outChannels: 2, kernelSize: 1, padding: [0, 0, 2 ** 31, 0] }], call: layerSpec, field: 'padding' },
  { name: 'huge groups', args: () => [{ inChannels: 2 ** 25, outChannels: 2 ** 25, kernelSize: 1, groups: 2 ** 25 }], call: layerSpec, field: 'inChannels' },
  { name: 'huge rank', args: () => [{ inChannels: 1, outChannels: 4, kernelSize: 1, coefficients: { kind: 'lowRank', rank: 2 ** 30 } }], call: layerSpec, field: 'coefficients.rank' },
  { name: 'a bank beyond 2^31 − 1 values', args: () => [{ inChannels: 2 ** 16, outChannels: 2 ** 12, kernelSize: 3 }], call: layerSpec, field: 'layer' },
  { name: 'coefficients beyond 2^31 − 1 values', args: () => [{ inChannels: 1, outChannels: 2 ** 17, kernelSize: 1 }], call: layerSpec, field: 'layer' },
  { name: 'a low-rank column beyond 2^31 − 1', args: () => [{ inChannels: 1, outChannels: 2 ** 16, kernelSize: 1, coefficients: { kind: 'lowRank', rank: 2 ** 16 } }], call: layerSpec, field: 'coefficients.rank' },
  { name: 'an unknown member (stride)', args: () => [{ inChannels: 2, outChannels: 4, kernelSize: 3, stride: 2 }], call: layerSpec, field: 'stride' },
  { name: 'a JSON __proto__ member', args: () => [JSON.parse('{"inChannels":2,"outChannels":4,"kernelSize":3,"__proto__":{"polluted":1}}')], call: layerSpec, field: '__proto__' },
  { name: 'a string kernel size', args: () => [{ inChannels: 2, outChannels: 4, kernelSize: '3' }], call: layerSpec, field: 'kernelSize' },
  { name: 'NaN channels', args: () => [{ inChannels: Number.NaN, outChannels: 4, kernelSize: 3 }], call: layerSpec, field: 'inChannels' },
  { name: 'Infinity channels', args: () => [{ inChannels: 2, outChannels: Number.POSITIVE_INFINITY, kernelSize: 3 }], call: layerSpec, field: 'outChannels' },
  { name: 'a rank that is a string', args: () => [{ inChannels: 2, outChannels: 4, kernelSize: 3, coefficients: { kind: 'lowRank', rank: '2' } }], call: layerSpec, field: 'coefficients.rank' },
  { name: 'coefficients 7', args: () => [{ inChannels: 2, outChannels: 4, kernelSize: 3, coefficients: 7 }], call: layerSpec, field: 'coefficients' },
  { name: 'useBias "yes"', args: () => [{ inChannels: 2, outChannels: 4, kernelSize: 3, useBias: 'yes' }], call: layerSpec, field: 'useBias' },
];

const specRows: Row[] = [
  { name: 'weightShapes(null)', args: () => [null], call: weightShapes, field: 'spec' },
  { name: 'weightShapes(an unvalidated spec with a bad kernel)', args: () => [{ ...spec, kernelSize: [0, 3] }], call: weightShapes, field: 'spec.kernelSize[0]' },
  { name: 'secondaryFilters(undefined)', args: () => [undefined], call: secondaryFilters, field: 'spec' },
  { name: 'filterLength(null)', args: () => [null], call: filterLength, field: 'spec' },
  { name: 'convGeometry(null)', args: () => [null, 4, 4], call: convGeometry, field: 'spec' },
  { name: 'convGeometry without strides', args: () => [{ kernelSize: [3, 3], padding: 'same', dilation: [1, 1] }, 4, 4], call: convGeometry, field: 'spec.strides' },
  { name: 'convGeometry with a 2^25 height', args: () => [spec, 2 ** 25, 4], call: convGeometry, field: 'input height' },
  { name: 'outputShape(spec, null)', args: () => [spec, null], call: outputShape, field: 'input.shape' },
  { name: 'outputShape(null, shape)', args: () => [null, [1, 2, 4, 4]], call: outputShape, field: 'spec' },
  { name: 'outputShape with a string channel count', args: () => [spec, [1, '2', 4, 4]], call: outputShape, field: 'input.shape[1]' },
  { name: 'compositionSpaceMacs(null)', args: () => [null, 16], call: compositionSpaceMacs, field: 'spec' },
  { name: 'compositionSpaceMacs with 0 output positions', args: () => [spec, 0], call: compositionSpaceMacs, field: 'outputPositions' },
  { name: 'cheaperCompositionSpace with NaN output positions', args: () => [spec, Number.NaN], call: cheaperCompositionSpace, field: 'outputPositions' },
];

const composeRows: Row[] = [
  { name: 'composeFilters(null, weights)', args: () => [null, weights()], call: composeFilters, field: 'spec' },
  { name: 'composeFilters(spec, null)', args: () => [spec, null], call: composeFilters, field: 'weights' },
  { name: 'composeFilters(spec, undefined)', args: () => [spec, undefined], call: composeFilters, field: 'weights' },
  { name: 'composeFilters(spec, a Float32Array)', args: () => [spec, new Float32Array(36)], call: composeFilters, field: 'weights' },
  { name: 'composeFilters with a plain-array primary', args: () => [spec, { ...weights(), primary: Array(36).fill(0) }], call: composeFilters, field: 'weights.primary' },
  { name: 'composeFilters with a misspelt weight', args: () => [spec, { ...weights(), coefficient: new Float32Array(4) }], call: composeFilters, field: 'weights.coefficient' },
  { name: 'composeFilters with column and row for full coefficients', args: () => [spec, { ...weights(), column: new Float32Array(2), row: new Float32Array(2) }], call: composeFilters, field: 'weights.column' },
  { name: 'composeFilters with coefficients for low rank', args: () => [lowRank, { ...initialWeights(lowRank, createRandom(2)), coefficients: new Float32Array(4) }], call: composeFilters, field: 'weights.coefficients' },
  { name: 'composeFilters with a Int32Array primary', args: () => [spec, { ...weights(), primary: new Int32Array(36) }], call: composeFilters, field: 'weights.primary' },
  { name: 'composeFiltersBackward(null, …)', args: () => [null, weights(), new Float32Array(72)], call: composeFiltersBackward, field: 'spec' },
  { name: 'composeFiltersBackward(spec, null, …)', args: () => [spec, null, new Float32Array(72)], call: composeFiltersBackward, field: 'weights' },
  { name: 'composeFiltersBackward with no filterGrad', args: () => [spec, weights(), undefined], call: composeFiltersBackward, field: 'filterGrad' },
  { name: 'composeFiltersBackward with a short filterGrad', args: () => [spec, weights(), new Float32Array(71)], call: composeFiltersBackward, field: 'filterGrad' },
  { name: 'checkWeights(spec, 7)', args: () => [spec, 7], call: checkWeights, field: 'weights' },
  { name: 'weightsAsFloat64(null)', args: () => [null], call: weightsAsFloat64, field: 'weights' },
  { name: 'weightsAsFloat64 of a number array', args: () => [{ primary: [1, 2] }], call: weightsAsFloat64, field: 'weights.primary' },
];

const layerRows: Row[] = [
  { name: 'linearConvForward(null, …)', args: () => [null, weights(), input()], call: linearConvForward, field: 'spec' },
  { name: 'linearConvForward(spec, null, …)', args: () => [spec, null, input()], call: linearConvForward, field: 'weights' },
  { name: 'linearConvForward(spec, weights, null)', args: () => [spec, weights(), null], call: linearConvForward, field: 'input' },
  { name: 'linearConvForward with a plain-array primary', args: () => [spec, { ...weights(), primary: Array(36).fill(1) }, input()], call: linearConvForward, field: 'weights.primary' },
  { name: 'linearConvForward with a number-array input', args: () => [spec, weights(), { shape: [1, 2, 4, 4], data: Array(32).fill(0) }], call: linearConvForward, field: 'input.data' },
  { name: 'linearConvForward with a short input', args: () => [spec, weights(), { shape: [1, 2, 4, 4], data: new Float32Array(31) }], call: linearConvForward, field: 'input.data' },
  { name: 'linearConvForward with a shape of strings', args: () => [spec, weights(), { shape: ['1', 2, 4, 4], data: new Float32Array(32) }], call: linearConvForward, field: 'input.shape' },
  { name: 'linearConvBackward with no outputGrad', args: () => [spec, weights(), input(), undefined], call: linearConvBackward, field: 'outputGrad' },
  { name: 'linearConvBackward with a wrong outputGrad shape', args: () => [spec, weights(), input(), { shape: [1, 4, 4, 3], data: new Float32Array(48) }], call: linearConvBackward, field: 'outputGrad.shape' },
  { name: 'convOptions(spec, null)', args: () => [spec, null], call: convOptions, field: 'input' },
];

const referenceRows: Row[] = [
  { name: 'conv2d(null, …)', args: () => [null, filters(), undefined, options()], call: conv2d, field: 'input.shape' },
  { name: 'conv2d(input, null, …)', args: () => [input(), null, undefined, options()], call: conv2d, field: 'filters.shape' },
  { name: 'conv2d(…, null options)', args: () => [input(), filters(), undefined, null], call: conv2d, field: 'options' },
  { name: 'conv2d with a number-array bias', args: () => [input(), filters(), [0, 0, 0, 0], options()], call: conv2d, field: 'bias' },
  { name: 'conv2d with 2^24 + 1 padding', args: () => [input(), filters(), undefined, { ...options(), padding: [MAX_SIZE + 1, 0, 0, 0] }], call: conv2d, field: 'options.padding' },
  { name: 'conv2d whose output would exceed 2^31 − 1 values', args: () => [input(), filters(), undefined, { ...options(), padding: [MAX_SIZE, MAX_SIZE, MAX_SIZE, MAX_SIZE] }], call: conv2d, field: 'options.padding' },
  { name: 'conv2d with huge strides', args: () => [input(), filters(), undefined, { ...options(), strides: [2 ** 40, 1] }], call: conv2d, field: 'options.strides' },
  { name: 'conv2d with string groups', args: () => [input(), filters(), undefined, { ...options(), groups: '1' }], call: conv2d, field: 'options.groups' },
  { name: 'conv2dBackward with a null outputGrad', args: () => [input(), filters(), null, options()], call: conv2dBackward, field: 'outputGrad.shape' },
];

const regularizerRows: Row[] = [
  { name: 'correlationLoss(null, 2)', args: () => [null, 2], call: correlationLoss, field: 'primary' },
  { name: 'correlationLoss(numbers, 2)', args: () => [[1, 2, 3, 4], 2], call: correlationLoss, field: 'primary' },
  { name: 'correlationLoss(primary, "2")', args: () => [new Float32Array(8), '2'], call: correlationLoss, field: 'primaryCount' },
  { name: 'correlationLoss(primary, undefined)', args: () => [new Float32Array(8), undefined], call: correlationLoss, field: 'primaryCount' },
  { name: 'correlationLoss with D = 1', args: () => [new Float32Array(3), 3], call: correlationLoss, field: 'primary' },
  { name: 'correlationMatrix(undefined, 1)', args: () => [undefined, 1], call: correlationMatrix, field: 'primary' },
  { name: 'orthogonalityLoss(primary, 0)', args: () => [new Float64Array(4), 0], call: orthogonalityLoss, field: 'primaryCount' },
  { name: 'orthogonalityLoss with uneven rows', args: () => [new Float64Array(5), 2], call: orthogonalityLoss, field: 'primary' },
];

const fitRows: Row[] = [
  { name: 'fitCoefficients(null, …)', args: () => [null, new Float32Array(72), new Float32Array(4)], call: fitCoefficients, field: 'spec' },
  { name: 'fitCoefficients(spec, null)', args: () => [spec, null, new Float32Array(4)], call: fitCoefficients, field: 'filters' },
  { name: 'fitCoefficients with numbers', args: () => [spec, Array(72).fill(1), new Float32Array(4)], call: fitCoefficients, field: 'filters' },
  { name: 'fitCoefficients(…, null options)', args: () => [spec, new Float32Array(72), new Float32Array(4), null], call: fitCoefficients, field: 'options' },
  { name: 'fitCoefficients with an unknown option', args: () => [spec, new Float32Array(72), new Float32Array(4), { primary: 'pivoted' }], call: fitCoefficients, field: 'options.primary' },
];

const randomRows: Row[] = [
  { name: 'initialWeights(null, random)', args: () => [null, createRandom(1)], call: initialWeights, field: 'spec' },
  { name: 'initialWeights(spec, null)', args: () => [spec, null], call: initialWeights, field: 'random' },
  { name: 'initialWeights(spec, 42)', args: () => [spec, 42], call: initialWeights, field: 'random' },
  { name: 'xavierUniform(random, null)', args: () => [createRandom(1), null], call: xavierUniform, field: 'shape' },
  { name: 'xavierUniform(null, shape)', args: () => [null, [4, 2, 3, 3]], call: xavierUniform, field: 'random' },
  { name: 'uniformArray with a negative length', args: () => [createRandom(1), -1, 0, 1], call: uniformArray, field: 'length' },
  { name: 'uniformArray with NaN bounds', args: () => [createRandom(1), 4, Number.NaN, 1], call: uniformArray, field: 'low, high' },
  { name: 'createRandom("seed")', args: () => ['seed'], call: createRandom, field: 'seed' },
];

const accountingRows: Row[] = [
  { name: 'countParams(null)', args: () => [null], call: countParams, field: 'layer' },
  { name: 'countParams({ op: "conv" })', args: () => [{ name: 'x', op: 'conv' }], call: countParams, field: 'layer.conv' },
  { name: 'countParams with no name', args: () => [{ op: 'relu' }], call: countParams, field: 'layer.name' },
  { name: 'countParams with an unknown op', args: () => [{ name: 'x', op: 'conv3d' }], call: countParams, field: 'layer.op' },
  { name: 'countParams of a dense layer with string features', args: () => [{ name: 'd', op: 'dense', inFeatures: '10', outFeatures: 2, useBias: true }], call: countParams, field: 'layer.inFeatures' },
  { name: 'countParams of a batch norm with 2^53 channels', args: () => [{ name: 'b', op: 'batchNorm', channels: 2 ** 53 }], call: countParams, field: 'layer.channels' },
  { name: 'countParams of a conv with a null spec', args: () => [{ name: 'c', op: 'conv', conv: null, inputSize: [8, 8] }], call: countParams, field: 'layer.conv' },
  { name: 'countParams of a conv whose linearConv disagrees', args: () => [{ ...plainConv, linearConv: { ...spec, inChannels: 4 } }], call: countParams, field: 'layer.linearConv.inChannels' },
  { name: 'convParams(null)', args: () => [null], call: convParams, field: 'spec' },
  { name: 'convParams of 2^53 channels', args: () => [{ ...spec, inChannels: 2 ** 53 }], call: convParams, field: 'spec.inChannels' },
  { name: 'linearConvParams(undefined)', args: () => [undefined], call: linearConvParams, field: 'spec' },
  { name: 'compositionFlops(null)', args: () => [null], call: compositionFlops, field: 'spec' },
  { name: 'rankExceedsMin({})', args: () => [{}], call: rankExceedsMin, field: 'spec.inChannels' },
  { name: 'countMacs(spec, null)', args: () => [spec, null], call: countMacs, field: 'inputSize' },
  { name: 'countMacs with quirks null', args: () => [spec, [8, 8], null], call: countMacs, field: 'quirks' },
  { name: 'countMacs beyond 2^53', args: () => [layerSpec({ inChannels: 4096, outChannels: 4096, kernelSize: 11, padding: 'same' }), [MAX_SIZE, MAX_SIZE]], call: countMacs, field: 'inputSize' },
  { name: 'convBiasAdds(spec, "8x8")', args: () => [spec, '8x8'], call: convBiasAdds, field: 'inputSize' },
  { name: 'layerAccount of a conv without inputSize', args: () => [{ name: 'c', op: 'conv', conv: { ...spec } }], call: layerAccount, field: 'layer.inputSize' },
  { name: 'layerAccount with options null', args: () => [plainConv, null], call: layerAccount, field: 'options' },
  { name: 'modelAccount(null)', args: () => [null], call: modelAccount, field: 'layers' },
  { name: 'modelAccount with a null record', args: () => [[plainConv, null]], call: modelAccount, field: 'layers[1]' },
  { name: 'modelAccount with a misspelt option', args: () => [[plainConv], { countbias: true }], call: modelAccount, field: 'options.countbias' },
  { name: 'modelAccount with countBias "yes"', args: () => [[plainConv], { countBias: 'yes' }], call: modelAccount, field: 'options.countBias' },
  { name: 'modelAccount with an unknown quirk', args: () => [[plainConv], { quirks: { groupedMacs: true } }], call: modelAccount, field: 'options.quirks.groupedMacs' },
];

const zooRows: Row[] = [
  { name: 'zooModel("base", null)', args: () => ['base', null], call: zooModel, field: 'options' },
  { name: 'zooModel with a misspelt option', args: () => ['base', { varient: 'full' }], call: zooModel, field: 'options.varient' },
  { name: 'zooModel with an unknown quirk', args: () => ['base', { quirks: { convertStem: true } }], call: zooModel, field: 'quirks.convertStem' },
  { name: 'zooModel with a quirk "yes"', args: () => ['resnext29', { quirks: { resnext29ConvertStem: 'yes' } }], call: zooModel, field: 'quirks.resnext29ConvertStem' },
  { name: 'zooModel with 2^53 classes', args: () => ['base', { classes: 2 ** 53 }], call: zooModel, field: 'classes' },
  { name: 'zooModel with a 2^25 rank', args: () => ['base', { variant: 'lowRank', rank: 2 ** 25 }], call: zooModel, field: 'rank' },
];

const tables: Record<string, Row[]> = {
  layerSpec: layerSpecRows,
  'spec helpers': specRows,
  compose: composeRows,
  'reference layer': layerRows,
  'reference conv': referenceRows,
  regularisers: regularizerRows,
  fitCoefficients: fitRows,
  initialisers: randomRows,
  accounting: accountingRows,
  zoo: zooRows,
};

for (const [table, rows] of Object.entries(tables)) {
  describe(`bad input: ${table}`, () => {
    it.each(rows)('$name → LinearConvError($field), arguments untouched', ({ args, call, field }) => {
      const given = args();
      // Random has methods, which structuredClone cannot copy; it holds no caller data.
      const before = given.map((a) => (hasFunctions(a) ? a : structuredClone(a)));
      let thrown: unknown;
      try {
        (call as (...a: unknown[]) => unknown)(...given);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(LinearConvError);
      expect((thrown as LinearConvError).field).toBe(field);
      expect((thrown as LinearConvError).message).toBe(`${field}: ${(thrown as LinearConvError).rule}`);
      expect(given).toEqual(before);
    });
  });
}

describe('bad input: limits', () => {
  it('accepts sizes up to the limit where counts stay exact', () => {
    expect(layerSpec({ inChannels: MAX_SIZE, outChannels: 2, kernelSize: 1 }).inChannels).toBe(MAX_SIZE);
    expect(layerSpec({ inChannels: MAX_SIZE, outChannels: 16, kernelSize: 1, groups: 16 }).groups).toBe(16);
    expect(layerSpec({ inChannels: 1, outChannels: 2, kernelSize: [MAX_SIZE, 1], padding: [0, 0, MAX_SIZE, 0] }).kernelSize).toEqual([MAX_SIZE, 1]);
    const big = layerSpec({ inChannels: 1, outChannels: 2 ** 15, kernelSize: 1 });
    // s·p = 2^28 coefficients: under MAX_ELEMENTS, so composable and countable.
    expect(linearConvParams(big)).toBe(2 ** 14 + 2 ** 14 * 2 ** 14 + 2 ** 15);
    expect(MAX_ELEMENTS).toBe(2 ** 31 - 1);
  });

  it('leaves Object.prototype alone', () => {
    try {
      layerSpec(JSON.parse('{"__proto__":{"polluted":1},"inChannels":1,"outChannels":2,"kernelSize":1}'));
    } catch {
      // refused: checked in the table above
    }
    expect(({} as { polluted?: number }).polluted).toBeUndefined();
  });

});

function hasFunctions(value: unknown): boolean {
  return typeof value === 'object' && value !== null && Object.values(value).some((v) => typeof v === 'function');
}

describe('describe(), which every error message uses', () => {
  it('stays bounded on hostile values', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(describeValue(deep)).toBe('[[[[…1 items]]]]');
    expect(describeValue('x'.repeat(10_000)).length).toBeLessThan(70);
    expect(describeValue(Array.from({ length: 1000 }, (_, i) => i))).toBe('[0, 1, 2, 3, 4, 5, 6, 7, … 992 more]');
    expect(describeValue({ toString: () => { throw new Error('no'); } })).toBe('an object');
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(Object.create(null))).toBe('an object');
  });

  it('gives layerSpec a clean error for a deeply nested kernelSize', () => {
    let deep: unknown = 3;
    for (let i = 0; i < 20_000; i++) deep = [deep];
    expect(() => layerSpec({ inChannels: 1, outChannels: 2, kernelSize: deep as number })).toThrow(LinearConvError);
  });
});
