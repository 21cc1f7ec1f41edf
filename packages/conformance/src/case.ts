import { describe, type LayerSpec, layerSpec, type LayerSpecInput, LinearConvError, outputShape, weightShapes } from '@linearconv/core';

export const CASE_FORMAT = 'linearconv-case@1';

/** How a case's expected values were written: as float32 values (the default) or at float64 precision. */
export type ExpectedPrecision = 'float32' | 'float64';
export const EXPECTED_PRECISIONS: readonly ExpectedPrecision[] = Object.freeze(['float32', 'float64']);


/**
 * A tensor as it sits in a case file, in memory: float32 values (inputs, weights, outputGrad, and
 * float32-written expectations) as the float32 each decimal stands for; float64-written ones as written.
 */
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
  /** How `expected` was written; float32 when absent. Widens the check by float32 rounding (see toleranceFor). */
  readonly expectedPrecision?: ExpectedPrecision;
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
  if (typeof source !== 'string' || source === '') {
    throw new LinearConvError('source', `must be a non-empty string naming where the case came from, got ${describe(source)}`);
  }
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
  if (doc.format !== CASE_FORMAT) fail('format', `must be "${CASE_FORMAT}", got ${describe(doc.format)}`);
  const name = doc.name;
  if (typeof name !== 'string' || !/^[a-z0-9-]+$/.test(name)) fail('name', 'must be a string of [a-z0-9-]+');
  if (doc.description !== undefined && typeof doc.description !== 'string') fail('description', 'must be a string');
  const precision = (doc.expectedPrecision ?? 'float32') as ExpectedPrecision;
  if (!EXPECTED_PRECISIONS.includes(precision)) {
    fail('expectedPrecision', `must be "float32" or "float64", got ${describe(doc.expectedPrecision)}`);
  }
  const expectedFloat32 = precision === 'float32';

  const layer = object(doc.layer, 'layer');
  const spec = parseLayer(layer, fail);
  const shapes = weightShapes(spec);

  // Inputs, weights and outputGrad reach backends as float32, and float32-written expectations
  // are float32 too: such values must be in float32's range, and are read as the float32 each
  // decimal stands for.
  const tensor = (value: unknown, member: string, shape?: readonly number[], float32Values = false): CaseTensor => {
    const t = object(value, member);
    const dims = t.shape;
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d > 0)) {
      fail(`${member}.shape`, 'must be an array of positive integers');
    }
    const data = t.data;
    if (!Array.isArray(data) || !data.every((v) => typeof v === 'number' && Number.isFinite(v))) {
      fail(`${member}.data`, 'must be an array of finite numbers');
    }
    if (float32Values) {
      const outside = (data as number[]).findIndex((v) => !Number.isFinite(Math.fround(v)));
      if (outside >= 0) fail(`${member}.data`, `value ${outside} (${(data as number[])[outside]}) is outside the float32 range`);
    }
    const s = dims as number[];
    const values = data as number[];
    const count = s.reduce((product, d) => product * d, 1);
    if (count !== values.length) {
      fail(`${member}.data`, `holds ${values.length} numbers but shape [${s.join(', ')}] needs ${count}`);
    }
    if (shape && (s.length !== shape.length || s.some((d, i) => d !== shape[i]))) {
      fail(`${member}.shape`, `must be [${shape.join(', ')}] for this layer, got [${s.join(', ')}]`);
    }
    return { shape: s, data: float32Values ? Float64Array.from(values, Math.fround) : Float64Array.from(values) };
  };
  const optional = (value: unknown, member: string, shape: readonly number[] | undefined, float32Values = false): CaseTensor | undefined => {
    if (shape === undefined) {
      if (value !== undefined) fail(member, 'must be absent for this layer');
      return undefined;
    }
    if (value === undefined) fail(member, `is required for this layer, with shape [${shape.join(', ')}]`);
    return tensor(value, member, shape, float32Values);
  };

  const inputJson = object(doc.input, 'input');
  const inputShape = inputJson.shape;
  if (!Array.isArray(inputShape) || inputShape.length !== 4 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    fail('input.shape', 'must be [N, C, H, W] of positive integers');
  }
  if ((inputShape as number[])[1] !== spec.inChannels) {
    fail('input.shape', `must have ${spec.inChannels} channels (layer.inChannels), got ${(inputShape as number[])[1]}`);
  }
  const input = tensor(inputJson, 'input', undefined, true);
  let outShape: readonly number[] = [];
  try {
    outShape = outputShape(spec, input.shape);
  } catch (e) {
    fail('layer.padding', `leaves no output for input [${input.shape.join(', ')}]: ${(e as LinearConvError).rule}`);
  }

  const w = object(doc.weights, 'weights');
  const weights = {
    primary: tensor(w.primary, 'weights.primary', shapes.primary, true),
    ...defined('coefficients', optional(w.coefficients, 'weights.coefficients', shapes.coefficients, true)),
    ...defined('column', optional(w.column, 'weights.column', shapes.column, true)),
    ...defined('row', optional(w.row, 'weights.row', shapes.row, true)),
    ...defined('bias', optional(w.bias, 'weights.bias', shapes.bias, true)),
  };

  const e = object(doc.expected, 'expected');
  const expected: ConformanceCase['expected'] = {
    output: tensor(e.output, 'expected.output', outShape, expectedFloat32),
    ...defined('filters', e.filters === undefined ? undefined : tensor(e.filters, 'expected.filters', shapes.filters, expectedFloat32)),
    ...defined('correlation', e.correlation === undefined ? undefined : parseCorrelation()),
    ...defined('backward', e.backward === undefined ? undefined : parseBackward()),
  };

  function parseCorrelation() {
    const c = object(e.correlation, 'expected.correlation');
    const value = c.value;
    if (typeof value !== 'number' || !Number.isFinite(value) || (expectedFloat32 && !Number.isFinite(Math.fround(value)))) {
      fail('expected.correlation.value', `must be a finite number${expectedFloat32 ? ' in float32 range' : ''}`);
    }
    return {
      value: expectedFloat32 ? Math.fround(value as number) : (value as number),
      primaryGrad: tensor(c.primaryGrad, 'expected.correlation.primaryGrad', shapes.primary, expectedFloat32),
    };
  }
  function parseBackward() {
    const b = object(e.backward, 'expected.backward');
    const m = 'expected.backward';
    return {
      outputGrad: tensor(b.outputGrad, `${m}.outputGrad`, outShape, true),
      inputGrad: tensor(b.inputGrad, `${m}.inputGrad`, input.shape, expectedFloat32),
      primaryGrad: tensor(b.primaryGrad, `${m}.primaryGrad`, shapes.primary, expectedFloat32),
      ...defined('coefficientsGrad', optional(b.coefficientsGrad, `${m}.coefficientsGrad`, shapes.coefficients, expectedFloat32)),
      ...defined('columnGrad', optional(b.columnGrad, `${m}.columnGrad`, shapes.column, expectedFloat32)),
      ...defined('rowGrad', optional(b.rowGrad, `${m}.rowGrad`, shapes.row, expectedFloat32)),
      ...defined('biasGrad', optional(b.biasGrad, `${m}.biasGrad`, shapes.bias, expectedFloat32)),
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
    expectedPrecision: precision,
  };
}

const LAYER_MEMBERS = ['inChannels', 'outChannels', 'kernelSize', 'strides', 'padding', 'dilation', 'groups', 'useBias', 'primaryFilters', 'coefficients'];

/**
 * Checks the members' types here, and hands core a fresh object of plain numbers, pairs and one
 * coefficients object for the range checks: nothing odd (deep nesting, odd keys) reaches core.
 */
function parseLayer(layer: Json, fail: (member: string, rule: string) => never): LayerSpec {
  for (const key of LAYER_MEMBERS) {
    if (layer[key] === undefined) fail(`layer.${key}`, 'is required');
  }
  for (const key of ['inChannels', 'outChannels', 'groups', 'primaryFilters']) {
    if (typeof layer[key] !== 'number') fail(`layer.${key}`, `must be a positive integer, got ${describe(layer[key])}`);
  }
  const pair = (key: string): number | [number, number] => {
    const value = layer[key];
    if (typeof value === 'number') return value;
    if (!Array.isArray(value) || value.length !== 2 || !value.every((v) => typeof v === 'number')) {
      fail(`layer.${key}`, `must be a positive integer or a pair [height, width], got ${describe(value)}`);
    }
    return [(value as number[])[0], (value as number[])[1]];
  };
  const kernelSize = pair('kernelSize');
  const strides = pair('strides');
  const dilation = pair('dilation');
  const padding = layer.padding;
  if (!Array.isArray(padding) || padding.length !== 4 || !padding.every((v) => typeof v === 'number')) {
    fail('layer.padding', `must be explicit: [top, bottom, left, right], got ${describe(padding)}`);
  }
  if (typeof layer.useBias !== 'boolean') fail('layer.useBias', `must be a boolean, got ${describe(layer.useBias)}`);
  const input: LayerSpecInput = {
    inChannels: layer.inChannels as number,
    outChannels: layer.outChannels as number,
    kernelSize,
    strides,
    padding: [(padding as number[])[0], (padding as number[])[1], (padding as number[])[2], (padding as number[])[3]],
    dilation,
    groups: layer.groups as number,
    useBias: layer.useBias as boolean,
    primaryFilters: layer.primaryFilters as number,
    coefficients: parseCoefficients(layer.coefficients, fail),
  };
  try {
    return layerSpec(input);
  } catch (e) {
    if (e instanceof LinearConvError) fail(e.field === 'layer' || e.field.startsWith('layer.') ? e.field : `layer.${e.field}`, e.rule);
    throw e;
  }
}

function parseCoefficients(value: unknown, fail: (member: string, rule: string) => never): LayerSpecInput['coefficients'] {
  const rule = 'must be { "kind": "full" } or { "kind": "lowRank", "rank": R }';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('layer.coefficients', `${rule}, got ${describe(value)}`);
  const { kind, rank } = value as Json;
  if (kind === 'full') return { kind: 'full' };
  if (kind !== 'lowRank') fail('layer.coefficients.kind', `must be "full" or "lowRank", got ${describe(kind)}`);
  if (typeof rank !== 'number') fail('layer.coefficients.rank', `must be an integer of at least 1, got ${describe(rank)}`);
  return { kind: 'lowRank', rank: rank as number };
}

function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}
