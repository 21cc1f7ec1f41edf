import { type LayerSpec, LinearConvError, layerSpec, outputShape, sizeOf, weightShapes } from '@linearconv/core';

export const CASE_FORMAT = 'linearconv-case@1';

/** A tensor as it sits in a case file and in memory: values as given (float32 inputs, float64 expectations). */
export interface CaseTensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** One parsed, validated `linearconv-case@1` file. */
export interface ConformanceCase {
  readonly name: string;
  readonly description?: string;
  /** Where it came from, for messages. */
  readonly source: string;
  readonly spec: LayerSpec;
  readonly input: CaseTensor;
  readonly weights: {
    readonly primary: CaseTensor;
    readonly coefficients?: CaseTensor;
    readonly column?: CaseTensor;
    readonly row?: CaseTensor;
    readonly bias?: CaseTensor;
  };
  readonly expected: {
    readonly filters?: CaseTensor;
    readonly output: CaseTensor;
    readonly correlation?: { readonly value: number; readonly primaryGrad: CaseTensor };
    readonly backward?: {
      readonly outputGrad: CaseTensor;
      readonly inputGrad: CaseTensor;
      readonly primaryGrad: CaseTensor;
      readonly coefficientsGrad?: CaseTensor;
      readonly columnGrad?: CaseTensor;
      readonly rowGrad?: CaseTensor;
      readonly biasGrad?: CaseTensor;
    };
  };
  readonly tolerance?: Tolerance;
}

/** A case file that breaks the format: names the file, the member (a JSON path) and the rule. */
export class CaseFormatError extends LinearConvError {
  readonly file: string;
  readonly member: string;

  constructor(file: string, member: string, rule: string) {
    super(member, rule);
    this.name = 'CaseFormatError';
    this.file = file;
    this.member = member;
    this.message = `${file}: ${member}: ${rule}`;
  }
}

type Json = Record<string, unknown>;

/** Parses and validates one case from its JSON text (or an already parsed value). */
export function parseCase(source: string, text: string | unknown): ConformanceCase {
  const fail = (member: string, rule: string): never => {
    throw new CaseFormatError(source, member, rule);
  };
  let root: unknown = text;
  if (typeof text === 'string') {
    try {
      root = JSON.parse(text);
    } catch (e) {
      fail('(file)', `is not valid JSON: ${(e as Error).message}`);
    }
  }
  const object = (value: unknown, member: string): Json =>
    typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : fail(member, 'must be an object');
  const doc = object(root, '(root)');
  if (doc.format !== CASE_FORMAT) fail('format', `must be "${CASE_FORMAT}", got ${JSON.stringify(doc.format)}`);
  const name = doc.name;
  if (typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name)) fail('name', 'must be a string of [a-z0-9-]+');
  if (doc.description !== undefined && typeof doc.description !== 'string') fail('description', 'must be a string');

  const layer = object(doc.layer, 'layer');
  const spec = parseLayer(layer, fail);
  const shapes = weightShapes(spec);

  const tensor = (value: unknown, member: string, shape?: readonly number[]): CaseTensor => {
    const t = object(value, member);
    const dims = t.shape;
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      fail(`${member}.shape`, 'must be an array of positive integers');
    }
    const data = t.data;
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail(`${member}.data`, 'must be an array of finite numbers');
    }
    const s = dims as number[];
    const values = data as number[];
    if (sizeOf(s) !== values.length) {
      fail(`${member}.data`, `holds ${values.length} numbers but shape [${s.join(', ')}] needs ${sizeOf(s)}`);
    }
    if (shape && (s.length !== shape.length || s.some((d, i) => d !== shape[i]))) {
      fail(`${member}.shape`, `must be [${shape.join(', ')}] for this layer, got [${s.join(', ')}]`);
    }
    return { shape: s, data: Float64Array.from(values) };
  };
  const optional = (value: unknown, member: string, shape: readonly number[] | undefined): CaseTensor | undefined => {
    if (shape === undefined) {
      if (value !== undefined) fail(member, 'must be absent for this layer');
      return undefined;
    }
    if (value === undefined) fail(member, `is required for this layer, with shape [${shape.join(', ')}]`);
    return tensor(value, member, shape);
  };

  const inputJson = object(doc.input, 'input');
  const inputShape = inputJson.shape;
  if (!Array.isArray(inputShape) || inputShape.length !== 4) fail('input.shape', 'must be [N, C, H, W]');
  if ((inputShape as number[])[1] !== spec.inChannels) {
    fail('input.shape', `must have ${spec.inChannels} channels (layer.inChannels), got ${(inputShape as number[])[1]}`);
  }
  const input = tensor(inputJson, 'input');
  let outShape: readonly number[] = [];
  try {
    outShape = outputShape(spec, input.shape);
  } catch (e) {
    fail('layer.padding', `leaves no output for input [${input.shape.join(', ')}]: ${(e as LinearConvError).rule}`);
  }

  const w = object(doc.weights, 'weights');
  const weights = {
    primary: tensor(w.primary, 'weights.primary', shapes.primary),
    ...defined('coefficients', optional(w.coefficients, 'weights.coefficients', shapes.coefficients)),
    ...defined('column', optional(w.column, 'weights.column', shapes.column)),
    ...defined('row', optional(w.row, 'weights.row', shapes.row)),
    ...defined('bias', optional(w.bias, 'weights.bias', shapes.bias)),
  };

  const e = object(doc.expected, 'expected');
  const expected: ConformanceCase['expected'] = {
    output: tensor(e.output, 'expected.output', outShape),
    ...defined('filters', e.filters === undefined ? undefined : tensor(e.filters, 'expected.filters', shapes.filters)),
    ...defined('correlation', e.correlation === undefined ? undefined : parseCorrelation()),
    ...defined('backward', e.backward === undefined ? undefined : parseBackward()),
  };

  function parseCorrelation() {
    const c = object(e.correlation, 'expected.correlation');
    if (typeof c.value !== 'number' || !Number.isFinite(c.value)) fail('expected.correlation.value', 'must be a finite number');
    return { value: c.value as number, primaryGrad: tensor(c.primaryGrad, 'expected.correlation.primaryGrad', shapes.primary) };
  }
  function parseBackward() {
    const b = object(e.backward, 'expected.backward');
    const m = 'expected.backward';
    return {
      outputGrad: tensor(b.outputGrad, `${m}.outputGrad`, outShape),
      inputGrad: tensor(b.inputGrad, `${m}.inputGrad`, input.shape),
      primaryGrad: tensor(b.primaryGrad, `${m}.primaryGrad`, shapes.primary),
      ...defined('coefficientsGrad', optional(b.coefficientsGrad, `${m}.coefficientsGrad`, shapes.coefficients)),
      ...defined('columnGrad', optional(b.columnGrad, `${m}.columnGrad`, shapes.column)),
      ...defined('rowGrad', optional(b.rowGrad, `${m}.rowGrad`, shapes.row)),
      ...defined('biasGrad', optional(b.biasGrad, `${m}.biasGrad`, shapes.bias)),
    };
  }

  let tolerance: Tolerance | undefined;
  if (doc.tolerance !== undefined) {
    const t = object(doc.tolerance, 'tolerance');
    for (const key of ['atol', 'rtol'] as const) {
      if (typeof t[key] !== 'number' || !((t[key] as number) >= 0)) fail(`tolerance.${key}`, 'must be a number ≥ 0');
    }
    tolerance = { atol: t.atol as number, rtol: t.rtol as number };
  }

  return {
    name: name as string,
    ...defined('description', doc.description as string | undefined),
    source,
    spec,
    input,
    weights,
    expected,
    ...defined('tolerance', tolerance),
  };
}

function parseLayer(layer: Json, fail: (member: string, rule: string) => never): LayerSpec {
  for (const key of ['inChannels', 'outChannels', 'kernelSize', 'strides', 'padding', 'dilation', 'groups', 'useBias', 'primaryFilters', 'coefficients']) {
    if (layer[key] === undefined) fail(`layer.${key}`, 'is required');
  }
  if (!Array.isArray(layer.padding)) fail('layer.padding', 'must be explicit: [top, bottom, left, right]');
  try {
    return layerSpec(layer as never);
  } catch (e) {
    if (e instanceof LinearConvError) fail(`layer.${e.field}`, e.rule);
    throw e;
  }
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
