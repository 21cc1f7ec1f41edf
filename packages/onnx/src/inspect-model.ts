import { describe, LinearConvError } from '@linearconv/core';
import onnxProto from 'onnx-proto';
import type { Dim } from './graph.js';

const { onnx } = onnxProto;

/** What an ONNX file declares: its interface, versions, operators and stored parameters. */
export interface OnnxModelInfo {
  readonly irVersion: number;
  /** The default-domain opset. */
  readonly opsetVersion: number;
  readonly inputs: readonly { readonly name: string; readonly shape: readonly Dim[] }[];
  readonly outputs: readonly { readonly name: string; readonly shape: readonly Dim[] }[];
  /** Float values in initializers of rank ≥ 1: the weights (scalar constants such as Clip's bounds excluded). */
  readonly params: number;
  /** Nodes per operator type. */
  readonly operators: Readonly<Record<string, number>>;
  readonly metadata: Readonly<Record<string, string>>;
}

/** Reads an ONNX model's interface and contents back (with onnx-proto). */
export function inspectModel(bytes: Uint8Array): OnnxModelInfo {
  if (!(bytes instanceof Uint8Array)) throw new LinearConvError('bytes', `must be an ONNX model's bytes (a Uint8Array), got ${describe(bytes)}`);
  let model: onnxProto.onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new LinearConvError('bytes', `is not an ONNX model (${(e as Error).message})`);
  }
  const graph = model.graph;
  if (!graph) throw new LinearConvError('bytes', 'is not an ONNX model (it holds no graph)');
  const shape = (v: onnxProto.onnx.IValueInfoProto): Dim[] =>
    (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : d.dimValue != null ? Number(d.dimValue) : null));
  const operators: Record<string, number> = {};
  for (const node of graph.node ?? []) operators[node.opType!] = (operators[node.opType!] ?? 0) + 1;
  const params = (graph.initializer ?? [])
    .filter((t) => t.dataType === onnx.TensorProto.DataType.FLOAT && (t.dims?.length ?? 0) > 0)
    .reduce((sum, t) => sum + t.dims!.reduce((a: number, b) => a * Number(b), 1), 0);
  return {
    irVersion: Number(model.irVersion),
    opsetVersion: Number(model.opsetImport.find((o) => !o.domain)?.version),
    inputs: (graph.input ?? []).map((v) => ({ name: v.name!, shape: shape(v) })),
    outputs: (graph.output ?? []).map((v) => ({ name: v.name!, shape: shape(v) })),
    params,
    operators,
    metadata: Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key!, p.value!])),
  };
}
