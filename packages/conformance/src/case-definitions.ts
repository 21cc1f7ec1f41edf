import type { CaseDefinition } from './generate.js';

const lowRank = (rank: number) => ({ kind: 'lowRank', rank }) as const;

/**
 * The committed cases. Each covers one feature a backend can get wrong; together they span the
 * kernel shapes, strides, dilations, paddings, groups, coefficient kinds and sizes that matter.
 */
export const CASE_DEFINITIONS: readonly CaseDefinition[] = [
  { name: 'pointwise-1x1', description: '1×1 conv, C 3 → F 4, 5×5', layer: { inChannels: 3, outChannels: 4, kernelSize: 1 }, input: [1, 5, 5], seed: 1 },
  { name: 'pointwise-1x1-c1-minimal', description: 'the minimal layer: C 1 → F 2, 1×1 (filters of length 1 have no correlation)', layer: { inChannels: 1, outChannels: 2, kernelSize: 1 }, input: [1, 4, 4], seed: 2 },
  { name: 'minimal-f2-3x3', description: 'F = 2: one primary, one secondary', layer: { inChannels: 2, outChannels: 2, kernelSize: 3, padding: 'same' }, input: [1, 6, 6], seed: 3 },
  { name: 'vgg-3x3-same-bias', description: '3×3 same, bias, C 3 → F 8', layer: { inChannels: 3, outChannels: 8, kernelSize: 3, padding: 'same' }, input: [1, 9, 9], seed: 4 },
  { name: 'no-bias-3x3', description: '3×3 same without bias (batch norm follows)', layer: { inChannels: 4, outChannels: 6, kernelSize: 3, padding: 'same', useBias: false }, input: [1, 7, 7], seed: 5 },
  { name: 'k5x5-valid', description: '5×5 valid', layer: { inChannels: 2, outChannels: 6, kernelSize: 5 }, input: [1, 8, 8], seed: 6 },
  { name: 'k5x5-same', description: '5×5 same', layer: { inChannels: 3, outChannels: 4, kernelSize: 5, padding: 'same' }, input: [1, 7, 6], seed: 7 },
  { name: 'rect-3x1', description: 'rectangular 3×1 kernel, same', layer: { inChannels: 3, outChannels: 6, kernelSize: [3, 1], padding: 'same' }, input: [1, 6, 5], seed: 8 },
  { name: 'rect-1x5-explicit', description: 'rectangular 1×5 kernel, padding [0, 0, 2, 2]', layer: { inChannels: 2, outChannels: 5, kernelSize: [1, 5], padding: [0, 0, 2, 2] }, input: [1, 4, 7], seed: 9 },
  { name: 'rect-2x3-valid', description: 'rectangular 2×3 kernel, valid, rectangular input', layer: { inChannels: 3, outChannels: 4, kernelSize: [2, 3] }, input: [1, 7, 10], seed: 10 },
  { name: 'stride2-3x3-pad1', description: 'stride 2, padding 1 on odd input', layer: { inChannels: 3, outChannels: 8, kernelSize: 3, strides: 2, padding: [1, 1, 1, 1] }, input: [1, 9, 9], seed: 11 },
  { name: 'stride2-valid', description: 'stride 2, valid, even input (last row and column unread)', layer: { inChannels: 2, outChannels: 4, kernelSize: 3, strides: 2 }, input: [1, 8, 8], seed: 12 },
  { name: 'stride-rect-2x1', description: 'strides [2, 1]', layer: { inChannels: 2, outChannels: 6, kernelSize: 3, strides: [2, 1], padding: [1, 1, 1, 1] }, input: [1, 8, 6], seed: 13 },
  { name: 'same-even-stride2', description: 'TF same on even input with stride 2: padding [0, 1, 0, 1]', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, strides: 2, padding: 'same' }, input: [1, 8, 8], seed: 14 },
  { name: 'same-even-kernel4', description: 'TF same with an even kernel: padding [1, 2, 1, 2]', layer: { inChannels: 2, outChannels: 4, kernelSize: 4, padding: 'same' }, input: [1, 6, 6], seed: 15 },
  { name: 'dilation2-3x3', description: 'dilation 2, same', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, dilation: 2, padding: 'same' }, input: [1, 9, 9], seed: 16 },
  { name: 'dilation-rect-2x1', description: 'dilation [2, 1], valid', layer: { inChannels: 2, outChannels: 4, kernelSize: 3, dilation: [2, 1] }, input: [1, 9, 6], seed: 17 },
  { name: 'stride2-dilation2', description: 'stride 2 and dilation 2 together', layer: { inChannels: 2, outChannels: 6, kernelSize: 3, strides: 2, dilation: 2, padding: [2, 2, 2, 2] }, input: [1, 9, 9], seed: 18 },
  { name: 'asymmetric-padding', description: 'explicit asymmetric padding [2, 0, 1, 3]', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, padding: [2, 0, 1, 3] }, input: [1, 6, 5], seed: 19 },
  { name: 'groups2', description: 'groups 2, C 4 → F 6', layer: { inChannels: 4, outChannels: 6, kernelSize: 3, groups: 2, padding: 'same' }, input: [1, 6, 6], seed: 20 },
  { name: 'groups2-lowrank', description: 'groups 2 with low-rank coefficients', layer: { inChannels: 6, outChannels: 8, kernelSize: 3, groups: 2, coefficients: lowRank(2), padding: 'same' }, input: [1, 5, 5], seed: 21 },
  { name: 'depthwise-3x3', description: 'depthwise: groups = C = F = 4', layer: { inChannels: 4, outChannels: 4, kernelSize: 3, groups: 4, padding: 'same' }, input: [1, 7, 7], seed: 22 },
  { name: 'depthwise-multiplier2-stride2', description: 'depthwise with multiplier 2 (C 3 → F 6, groups 3), stride 2', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, groups: 3, strides: 2, padding: 'same' }, input: [1, 8, 8], seed: 23 },
  { name: 'odd-f7', description: 'odd F = 7: p = 3, s = 4', layer: { inChannels: 3, outChannels: 7, kernelSize: 3, padding: 'same' }, input: [1, 5, 5], seed: 24 },
  { name: 'odd-f5-p4', description: 'p = 4 of 5, not floor(F/2)', layer: { inChannels: 2, outChannels: 5, kernelSize: 3, primaryFilters: 4 }, input: [1, 6, 6], seed: 25 },
  { name: 'p1-of-6', description: 'p = 1: every secondary is a multiple of one primary', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, primaryFilters: 1, padding: 'same' }, input: [1, 5, 5], seed: 26 },
  { name: 'p12-of-16', description: 'p = 12 of 16', layer: { inChannels: 4, outChannels: 16, kernelSize: 3, primaryFilters: 12, padding: 'same' }, input: [1, 5, 5], seed: 27 },
  { name: 'lowrank-r1', description: 'low rank R = 1', layer: { inChannels: 3, outChannels: 8, kernelSize: 3, coefficients: lowRank(1), padding: 'same' }, input: [1, 6, 6], seed: 28 },
  { name: 'lowrank-r2-no-bias', description: 'low rank R = 2 without bias', layer: { inChannels: 4, outChannels: 10, kernelSize: 3, coefficients: lowRank(2), useBias: false }, input: [1, 6, 6], seed: 29 },
  { name: 'lowrank-rank-above-min', description: 'low rank R = 10 > min(p, F − p) = 4: legal, as in the paper\'s MobileNetV2', layer: { inChannels: 3, outChannels: 8, kernelSize: 3, coefficients: lowRank(10), padding: 'same' }, input: [1, 5, 5], seed: 30 },
  { name: 'batch3', description: 'batch 3', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, padding: 'same' }, input: [3, 5, 5], seed: 31 },
  { name: 'batch2-lowrank-groups-stride2', description: 'batch 2, groups 2, low rank, stride 2, asymmetric padding', layer: { inChannels: 4, outChannels: 8, kernelSize: 3, groups: 2, strides: 2, coefficients: lowRank(2), padding: [1, 0, 0, 1] }, input: [2, 7, 7], seed: 32 },
  { name: 'kernel-covers-input', description: 'the kernel spans the whole input: a 1×1 output', layer: { inChannels: 2, outChannels: 4, kernelSize: 5 }, input: [1, 5, 5], seed: 33 },
  { name: 'pointwise-64-to-128-stride2', description: '1×1 stride 2, C 64 → F 128 (a ResNet shortcut)', layer: { inChannels: 64, outChannels: 128, kernelSize: 1, strides: 2, useBias: false }, input: [1, 8, 8], seed: 34 },
  { name: 'wide-64x64-16x16', description: 'C 64 → F 64, 3×3 same at 16×16: accumulation over D = 576', layer: { inChannels: 64, outChannels: 64, kernelSize: 3, padding: 'same' }, input: [1, 16, 16], seed: 35 },
  // Expected values computed in float64 and written as float32 (what a PyTorch export gives):
  // the checks must allow for that rounding, and only for it.
  { name: 'float32-written-3x3-bias', description: 'expected values written as float32: 3×3 same with bias', layer: { inChannels: 3, outChannels: 6, kernelSize: 3, padding: 'same' }, input: [1, 7, 7], seed: 36, expectedPrecision: 'float32' },
  { name: 'float32-written-lowrank-groups2', description: 'expected values written as float32: groups 2, low rank, stride 2', layer: { inChannels: 4, outChannels: 8, kernelSize: 3, groups: 2, strides: 2, coefficients: lowRank(2), padding: 'same' }, input: [2, 6, 6], seed: 37, expectedPrecision: 'float32' },
  { name: 'float32-written-wide-32x32', description: 'expected values written as float32: C 32 → F 32 at 8×8, accumulation over D = 288', layer: { inChannels: 32, outChannels: 32, kernelSize: 3, padding: 'same', useBias: false }, input: [1, 8, 8], seed: 38, expectedPrecision: 'float32' },
];
