import {
  composeFilters,
  convGeometry,
  describe,
  LinearConvError,
  type LayerSpec,
  type LinearConvWeights,
  type Padding,
  type Pair,
  secondaryFilters,
  weightShapes,
} from '@linearconv/core';
import type { OnnxGraph } from './graph.js';

/**
 * `compact` stores the primaries and coefficients and builds the filters in the graph;
 * `folded` stores the composed filters and runs a plain Conv.
 */
export type ExportMode = 'compact' | 'folded';

export function requireMode(mode: unknown): ExportMode {
  if (mode !== 'compact' && mode !== 'folded') {
    throw new LinearConvError('mode', `must be 'compact' or 'folded', got ${describe(mode)}`);
  }
  return mode;
}

/** The geometry of one convolution (or pooling window), as core's spec holds it. */
export interface ConvOp {
  readonly kernelSize: Pair;
  readonly strides: Pair;
  readonly dilation: Pair;
  readonly padding: Padding;
}

/**
 * ONNX's `pads` ([top, left, bottom, right]) for an input of `height`×`width` (null: unknown).
 * core's convGeometry resolves 'same' and checks the kernel fits; 'same' needs the size.
 */
export function onnxPads(op: ConvOp, height: number | null, width: number | null, field: string): number[] {
  if (height !== null && width !== null) {
    const [top, bottom, left, right] = convGeometry(op, height, width).padding;
    return [top, left, bottom, right];
  }
  if (op.padding === 'same') {
    throw new LinearConvError(field, "'same' padding needs a known input height and width");
  }
  if (op.padding === 'valid') return [0, 0, 0, 0];
  const [top, bottom, left, right] = op.padding;
  return [top, left, bottom, right];
}

/** A Conv node: filters OIHW ([F, C/groups, kh, kw]), optional bias [F]. */
export function convNode(
  graph: OnnxGraph,
  hint: string,
  x: string,
  filters: string,
  bias: string | undefined,
  op: ConvOp & { readonly groups: number },
  pads: readonly number[],
): string {
  return graph.node('Conv', bias ? [x, filters, bias] : [x, filters], hint, {
    kernel_shape: op.kernelSize,
    strides: op.strides,
    dilations: op.dilation,
    pads,
    group: op.groups,
  });
}

/**
 * The composed bank W ([F, C/g, kh, kw]) as a graph value.
 * compact: P is stored OIHW and A (or Col and Row) as they are; the graph computes
 * S = A·flat(P) (low rank: Col·(Row·flat(P))), reshapes S to filters and concatenates P and S:
 * Reshape → MatMul (→ MatMul) → Reshape → Concat. All inputs are initializers, so ONNX Runtime
 * folds the subgraph into a constant once, when the session is created.
 * folded: W is composed by core and stored.
 */
export function linearConvFilters(
  graph: OnnxGraph,
  hint: string,
  spec: LayerSpec,
  weights: LinearConvWeights,
  mode: ExportMode,
): string {
  const shapes = weightShapes(spec);
  if (mode === 'folded') return graph.floats(`${hint}_filters`, shapes.filters, composeFilters(spec, weights));
  const [p, cg, kh, kw] = shapes.primary;
  const primary = graph.floats(`${hint}_primary`, shapes.primary, weights.primary);
  const flat = graph.node('Reshape', [primary, graph.int64s(`${hint}_primary_flat_shape`, [p, cg * kh * kw])], `${hint}_primary_flat`);
  const secondaryFlat =
    spec.coefficients.kind === 'full'
      ? graph.node('MatMul', [graph.floats(`${hint}_coefficients`, shapes.coefficients!, weights.coefficients!), flat], `${hint}_secondary_flat`)
      : graph.node(
          'MatMul',
          [
            graph.floats(`${hint}_column`, shapes.column!, weights.column!),
            graph.node('MatMul', [graph.floats(`${hint}_row`, shapes.row!, weights.row!), flat], `${hint}_reduced`),
          ],
          `${hint}_secondary_flat`,
        );
  const secondaryShape = [secondaryFilters(spec), cg, kh, kw];
  const secondary = graph.node('Reshape', [secondaryFlat, graph.int64s(`${hint}_secondary_shape`, secondaryShape)], `${hint}_secondary`);
  return graph.node('Concat', [primary, secondary], `${hint}_filters`, { axis: 0 });
}

/** A whole LinearConv layer: its filters (compact or folded), then Conv with its bias. */
export function linearConvNode(
  graph: OnnxGraph,
  hint: string,
  x: string,
  spec: LayerSpec,
  weights: LinearConvWeights,
  mode: ExportMode,
  pads: readonly number[],
): { output: string; filters: string } {
  const filters = linearConvFilters(graph, hint, spec, weights, mode);
  const bias = weights.bias ? graph.floats(`${hint}_bias`, [spec.outChannels], weights.bias) : undefined;
  return { output: convNode(graph, hint, x, filters, bias, spec, pads), filters };
}
