import { type ConvShape, convSizes, hasPadding } from './conv-shape.js';
import { CONV_UNIFORMS, convSizeWriter, convValues } from './conv-sizes.js';
import { type Gemm, gemmKey, gemmShader, gemmUniformValues, gemmWorkgroups, type Tiles } from './gemm.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, type Program } from './program.js';
import { chooseTiles, type TileTarget } from './tiles.js';

/** An activation fused into the forward kernel's epilogue. */
export type Activation = 'none' | 'relu' | 'relu6';

export interface ConvForwardOptions {
  readonly bias: boolean;
  readonly activation?: Activation;
  /** The blocking; chosen for the shape and target when absent (benchmarks try others). */
  readonly tiles?: Tiles;
  readonly target?: TileTarget;
}

/** The WGSL of an activation applied to `v` (f32 or vec4<f32>). */
export function activationExpression(activation: Activation, v: string, type: 'f32' | 'vec4<f32>'): string {
  if (activation === 'relu') return `max(${v}, ${type}(0.0))`;
  if (activation === 'relu6') return `clamp(${v}, ${type}(0.0), ${type}(6.0))`;
  return v;
}

/**
 * y = act(conv2d(x, W) + bias), NCHW / OIHW, as an implicit GEMM per group:
 * C[o, (n, i, j)] = Σ_{(c, u, v)} W[o, (c, u, v)] · x[n, c, i·sh − top + u·dh, j·sw − left + v·dw].
 * Rows are the group's filters, columns the output pixels of the whole batch, K the filter
 * length. Specialised for the shape (sizes folded, bounds checks only where padding needs
 * them, vector paths where the shape allows) unless it is too small to repay a compile.
 * Bindings: input, filters, bias (when used), output.
 */
export function convForwardProgram(shape: ConvShape, options: ConvForwardOptions): Program {
  const activation = options.activation ?? 'none';
  const sizes = convSizes(shape);
  const m = sizes.fg;
  const n = shape.batch * sizes.outPlane;
  const k = sizes.filterLength;
  const S = convSizeWriter(shape, m * n * k * shape.groups);
  const specialised = !S.dynamic;
  const pointwise = sizes.taps === 1 && shape.strides.every((s) => s === 1) && !hasPadding(shape);
  // Vector paths: filters along K when every row starts on a vec4; a 1×1, stride-1, unpadded
  // conv reads four output pixels as four consecutive input pixels; pixels go out in fours.
  const vectorA = specialised && k % 4 === 0;
  const vectorB = specialised && pointwise && sizes.inPlane % 4 === 0;
  const vectorC = specialised && sizes.outPlane % 4 === 0;
  const tiles = options.tiles ?? chooseTiles(m, n, k, { ...options.target, vectorA, vectorB });

  const bindings: BindingDeclaration[] = [
    { name: 'input', variable: 'x', access: 'read', bytes: sizes.input * 4, type: vectorB ? 'array<vec4<f32>>' : 'array<f32>' },
    { name: 'filters', variable: 'w', access: 'read', bytes: sizes.filters * 4, type: vectorA ? 'array<vec4<f32>>' : 'array<f32>' },
    ...(options.bias ? [{ name: 'bias', variable: 'bias', access: 'read' as const, bytes: shape.outChannels * 4, type: 'array<f32>' }] : []),
    { name: 'output', variable: 'y', access: 'read_write', bytes: sizes.output * 4, type: vectorC ? 'array<vec4<f32>>' : 'array<f32>' },
  ];

  const loadA = vectorA
    ? `fn loadA4(z: u32, row: u32, k: u32) -> vec4<f32> { return w[((z * ${S.u('fg')} + row) * ${S.u('filterLength')} + k) / 4u]; }`
    : `fn loadA(z: u32, row: u32, k: u32) -> f32 { return w[(z * ${S.u('fg')} + row) * ${S.u('filterLength')} + k]; }`;

  // A column is one output pixel: its image's channel-group base and its window's corner,
  // computed once per invocation; each K step then only splits k into (c, u, v).
  const column = `struct Column { base: u32, ih: i32, iw: i32 }
fn column(z: u32, col: u32) -> Column {
  let image = col / ${S.u('outPlane')};
  let pixel = col % ${S.u('outPlane')};
  let i = i32(pixel / ${S.u('outWidth')});
  let j = i32(pixel % ${S.u('outWidth')});
  return Column((image * ${S.u('inChannels')} + z * ${S.u('cg')}) * ${S.u('inPlane')}, i * ${S.i('sh')} - ${S.i('top')}, j * ${S.i('sw')} - ${S.i('left')});
}`;
  let loadB: string;
  if (vectorB) {
    loadB = `fn loadB4(c: Column, k: u32) -> vec4<f32> { return x[(c.base + k * ${S.u('inPlane')} + u32(c.ih * ${S.i('width')} + c.iw)) / 4u]; }`;
  } else {
    // Without padding (specialised), no tap can leave the input: the check is left out.
    const inside =
      S.dynamic || hasPadding(shape)
        ? `if (ih < 0i || ih >= ${S.i('height')} || iw < 0i || iw >= ${S.i('width')}) { return 0.0; }\n  `
        : '';
    loadB = `fn loadB(c: Column, k: u32) -> f32 {
  let channel = k / ${S.u('taps')};
  let tap = k % ${S.u('taps')};
  let ih = c.ih + i32(tap / ${S.u('kernelWidth')}) * ${S.i('dh')};
  let iw = c.iw + i32(tap % ${S.u('kernelWidth')}) * ${S.i('dw')};
  ${inside}return x[c.base + channel * ${S.u('inPlane')} + u32(ih * ${S.i('width')} + iw)];
}`;
  }

  const biasOf = options.bias ? ` + bias[z * ${S.u('fg')} + row]` : '';
  const outIndex = `(col / ${S.u('outPlane')} * ${S.u('outChannels')} + z * ${S.u('fg')} + row) * ${S.u('outPlane')} + col % ${S.u('outPlane')}`;
  const value = (v: string, type: 'f32' | 'vec4<f32>') => activationExpression(activation, `${v}${biasOf}`, type);
  const store = [
    `fn store(z: u32, row: u32, col: u32, v: f32) {
  let index = ${outIndex};
  ${vectorC ? 'y[index / 4u][index % 4u]' : 'y[index]'} = ${value('v', 'f32')};
}`,
    ...(vectorC ? [`fn store4(z: u32, row: u32, col: u32, v: vec4<f32>) { y[(${outIndex}) / 4u] = ${value('v', 'vec4<f32>')}; }`] : []),
  ].join('\n');

  const gemm: Gemm = {
    m,
    n,
    k,
    batch: shape.groups,
    tiles,
    vectorA,
    vectorB,
    vectorC,
    dynamic: S.dynamic,
    declarations: [declareBindings(bindings), ...(S.dynamic ? [declareUniforms(CONV_UNIFORMS, bindings.length)] : []), loadA, column, loadB, store].join('\n\n'),
  };
  return {
    key: `conv2d-forward/${S.key}/${options.bias ? 'bias' : 'nobias'}-${activation}/${gemmKey(gemm)}`,
    code: gemmShader(gemm),
    bindings: bindingsOf(bindings),
    workgroups: gemmWorkgroups(gemm),
    ...(S.dynamic && { uniforms: { layout: CONV_UNIFORMS, values: { ...gemmUniformValues(gemm), ...convValues(shape) } } }),
  };
}
