import onnxProto from 'onnx-proto';
import { NameScope } from './names.js';

const { onnx } = onnxProto;

/** The default-domain opset every exported model imports. ONNX 1.12 (Debian 12's) knows up to 17. */
export const OPSET_VERSION = 17;
/** The ModelProto IR version that goes with opset 17 (ONNX 1.12). */
export const IR_VERSION = 8;

/** A dimension: a size, a symbolic name (dynamic, e.g. `batch`), or `null` (unknown). */
export type Dim = number | string | null;

/**
 * An attribute value: an integer is INT, an array of integers INTS, a string STRING and
 * `{ float }` FLOAT (an explicit wrapper, since 1 may be meant as either).
 */
export type AttributeValue = number | readonly number[] | string | { readonly float: number };

/**
 * A graph under construction: nodes in topological order (the order they are added),
 * initializers, inputs and outputs. Every value name is sanitised and unique.
 */
export class OnnxGraph {
  readonly #names = new NameScope();
  readonly #nodes: onnxProto.onnx.INodeProto[] = [];
  readonly #initializers: onnxProto.onnx.ITensorProto[] = [];
  readonly #inputs: onnxProto.onnx.IValueInfoProto[] = [];
  readonly #outputs: onnxProto.onnx.IValueInfoProto[] = [];
  /** Outputs that renamed the value they output: later references follow the rename. */
  readonly #renamed = new Map<string, string>();
  readonly #scalars = new Map<number, string>();
  #floatValues = 0;

  /** The float values stored in initializers: the exported model's parameter count. */
  get floatValues(): number {
    return this.#floatValues;
  }

  /** A float32 graph input; `name` is used exactly (it is part of the model's interface). */
  input(field: string, name: string, dims: readonly Dim[]): string {
    this.#inputs.push(valueInfo(this.#names.reserve(field, name), dims));
    return name;
  }

  /**
   * Declares `value` a graph output called `name`. The node that produced it is renamed when it
   * can be; otherwise (a graph input, an initializer, a value already output) an Identity copies it.
   */
  output(field: string, value: string, name: string, dims: readonly Dim[]): void {
    this.#names.reserve(field, name);
    const current = this.#renamed.get(value) ?? value;
    const producer = this.#nodes.find((n) => n.output?.[0] === current);
    if (producer && current === value) {
      producer.output = [name];
      for (const node of this.#nodes) node.input = node.input!.map((i) => (i === value ? name : i));
      this.#renamed.set(value, name);
    } else {
      this.#nodes.push({ opType: 'Identity', name: this.#names.unique(`${name}_identity`), input: [current], output: [name] });
    }
    this.#outputs.push(valueInfo(name, dims));
  }

  /** A float32 initializer (stored little-endian in raw_data). */
  floats(hint: string, dims: readonly number[], data: ArrayLike<number>): string {
    const name = this.#names.unique(hint);
    const bytes = new Uint8Array(data.length * 4);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i], true);
    this.#initializers.push({ name, dims: [...dims], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
    this.#floatValues += data.length;
    return name;
  }

  /**
   * A float32 scalar constant, stored once per value (the bounds of Clip). Not a weight: it is
   * not counted in `floatValues`.
   */
  scalar(value: number): string {
    let name = this.#scalars.get(value);
    if (name === undefined) {
      name = this.#names.unique(`scalar_${String(value).replace(/\W/g, '_')}`);
      const bytes = new Uint8Array(4);
      new DataView(bytes.buffer).setFloat32(0, value, true);
      this.#initializers.push({ name, dims: [], dataType: onnx.TensorProto.DataType.FLOAT, rawData: bytes });
      this.#scalars.set(value, name);
    }
    return name;
  }

  /** A 1-D int64 initializer: shapes and pads that ops such as Reshape and Pad take as inputs. */
  int64s(hint: string, values: readonly number[]): string {
    const name = this.#names.unique(hint);
    this.#initializers.push({ name, dims: [values.length], dataType: onnx.TensorProto.DataType.INT64, int64Data: [...values] });
    return name;
  }

  /** Adds a node with one output and returns the output's name. */
  node(opType: string, inputs: readonly string[], hint: string, attributes: Record<string, AttributeValue> = {}): string {
    const output = this.#names.unique(hint);
    this.#nodes.push({
      opType,
      name: this.#names.unique(`${hint}_${opType}`),
      input: inputs.map((i) => this.#renamed.get(i) ?? i),
      output: [output],
      attribute: Object.entries(attributes).map(([name, value]) => attribute(name, value)),
    });
    return output;
  }

  /** The ModelProto, serialised by onnx-proto (protobufjs). */
  encode(name: string, docString: string, metadata: Record<string, string>): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: IR_VERSION,
      opsetImport: [{ domain: '', version: OPSET_VERSION }],
      producerName: '@linearconv/onnx',
      docString,
      metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
      graph: {
        name,
        node: this.#nodes,
        initializer: this.#initializers,
        input: this.#inputs,
        output: this.#outputs,
      },
    });
    const bytes = onnx.ModelProto.encode(model).finish();
    // protobufjs hands back a Buffer in Node; callers get a plain Uint8Array everywhere.
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
}

function valueInfo(name: string, dims: readonly Dim[]): onnxProto.onnx.IValueInfoProto {
  const dim = dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {}));
  return { name, type: { tensorType: { elemType: onnx.TensorProto.DataType.FLOAT, shape: { dim } } } };
}

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const type = onnx.AttributeProto.AttributeType;
  if (typeof value === 'number') return { name, type: type.INT, i: value };
  if (typeof value === 'string') return { name, type: type.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: type.INTS, ints: [...value] };
  return { name, type: type.FLOAT, f: (value as { float: number }).float };
}
