import { type ConvShape, convSizes } from './conv-shape.js';
import { CONV_UNIFORMS, convSizeWriter, convValues } from './conv-sizes.js';
import { type Gemm, gemmKey, gemmShader, gemmUniformValues, gemmWorkgroups } from './gemm.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, type Program } from './program.js';
import { chooseTiles, type TileTarget } from './tiles.js';

/**
 * dx = the transposed convolution of dy with W, as an implicit GEMM per group:
 * dx[n, c, h, w] = Σ_{(o, u, v)} W[o, c, u, v] · dy[n, o, (h + top − u·dh) / sh, (w + left − v·dw) / sw],
 * over the taps where the division is exact and lands inside dy. Rows are the group's input
 * channels, columns the input pixels of the batch, K = (F/g)·kh·kw.
 * Bindings: outputGrad, filters, inputGrad.
 */
export function convInputGradProgram(shape: ConvShape, target?: TileTarget): Program {
  const sizes = convSizes(shape);
  const m = sizes.cg;
  const n = shape.batch * sizes.inPlane;
  const k = sizes.fg * sizes.taps;
  const S = convSizeWriter(shape, m * n * k * shape.groups);
  const vectorC = !S.dynamic && sizes.inPlane % 4 === 0;
  const tiles = chooseTiles(m, n, k, { ...target });
  const bindings: BindingDeclaration[] = [
    { name: 'outputGrad', variable: 'dy', access: 'read', bytes: sizes.output * 4, type: 'array<f32>' },
    { name: 'filters', variable: 'w', access: 'read', bytes: sizes.filters * 4, type: 'array<f32>' },
    { name: 'inputGrad', variable: 'dx', access: 'read_write', bytes: sizes.input * 4, type: vectorC ? 'array<vec4<f32>>' : 'array<f32>' },
  ];
  // With unit strides every tap's division is exact: the checks are left out when specialised.
  const exact = (v: string, stride: 'sh' | 'sw') =>
    !S.dynamic && shape.strides[stride === 'sh' ? 0 : 1] === 1 ? '' : ` || ${v} % ${S.i(stride)} != 0i`;
  const dxIndex = `(col / ${S.u('inPlane')} * ${S.u('inChannels')} + z * ${S.u('cg')} + row) * ${S.u('inPlane')} + col % ${S.u('inPlane')}`;
  const declarations = [
    declareBindings(bindings),
    ...(S.dynamic ? [declareUniforms(CONV_UNIFORMS, bindings.length)] : []),
    // A[c, (o, tap)] = W[z·fg + o, c, tap]
    `fn loadA(z: u32, row: u32, k: u32) -> f32 {
  return w[((z * ${S.u('fg')} + k / ${S.u('taps')}) * ${S.u('cg')} + row) * ${S.u('taps')} + k % ${S.u('taps')}];
}`,
    `struct Column { base: u32, th: i32, tw: i32 }
fn column(z: u32, col: u32) -> Column {
  let image = col / ${S.u('inPlane')};
  let pixel = col % ${S.u('inPlane')};
  return Column((image * ${S.u('outChannels')} + z * ${S.u('fg')}) * ${S.u('outPlane')}, i32(pixel / ${S.u('width')}) + ${S.i('top')}, i32(pixel % ${S.u('width')}) + ${S.i('left')});
}`,
    `fn loadB(c: Column, k: u32) -> f32 {
  let o = k / ${S.u('taps')};
  let tap = k % ${S.u('taps')};
  let th = c.th - i32(tap / ${S.u('kernelWidth')}) * ${S.i('dh')};
  let tw = c.tw - i32(tap % ${S.u('kernelWidth')}) * ${S.i('dw')};
  if (th < 0i || tw < 0i${exact('th', 'sh')}${exact('tw', 'sw')}) { return 0.0; }
  let i = th / ${S.i('sh')};
  let j = tw / ${S.i('sw')};
  if (i >= ${S.i('outHeight')} || j >= ${S.i('outWidth')}) { return 0.0; }
  return dy[c.base + o * ${S.u('outPlane')} + u32(i * ${S.i('outWidth')} + j)];
}`,
    `fn store(z: u32, row: u32, col: u32, v: f32) {
  let index = ${dxIndex};
  ${vectorC ? 'dx[index / 4u][index % 4u]' : 'dx[index]'} = v;
}`,
    ...(vectorC ? [`fn store4(z: u32, row: u32, col: u32, v: vec4<f32>) { dx[(${dxIndex}) / 4u] = v; }`] : []),
  ].join('\n\n');
  const gemm: Gemm = { m, n, k, batch: shape.groups, tiles, vectorC, declarations, dynamic: S.dynamic };
  return {
    key: `conv2d-input-grad/${S.key}/${gemmKey(gemm)}`,
    code: gemmShader(gemm),
    bindings: bindingsOf(bindings),
    workgroups: gemmWorkgroups(gemm),
    ...(S.dynamic && { uniforms: { layout: CONV_UNIFORMS, values: { ...gemmUniformValues(gemm), ...convValues(shape) } } }),
  };
}
