import { type ConvShape, convSizes, hasPadding } from './conv-shape.js';
import { CONV_UNIFORMS, convSizeWriter, convValues } from './conv-sizes.js';
import { type Gemm, gemmKey, gemmShader, gemmUniformValues, gemmWorkgroups } from './gemm.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, type Program } from './program.js';
import { chooseTiles, type TileTarget } from './tiles.js';

/**
 * dW = Σ over the batch's output pixels of dy ⊗ im2col(x), as a GEMM per group:
 * dW[o, (c, u, v)] = Σ_{(n, i, j)} dy[n, o, i, j] · x[n, c, i·sh − top + u·dh, j·sw − left + v·dw].
 * Rows are the group's filters, columns the filter length D, K the batch's output pixels.
 * Bindings: input, outputGrad, filterGrad.
 */
export function convFilterGradProgram(shape: ConvShape, target?: TileTarget): Program {
  const sizes = convSizes(shape);
  const m = sizes.fg;
  const n = sizes.filterLength;
  const k = shape.batch * sizes.outPlane;
  const S = convSizeWriter(shape, m * n * k * shape.groups);
  // dy rows are contiguous along K within an image: four at a time when planes are whole vec4s.
  const vectorA = !S.dynamic && sizes.outPlane % 4 === 0;
  const vectorC = !S.dynamic && n % 4 === 0;
  const tiles = chooseTiles(m, n, k, { ...target, vectorA });
  const bindings: BindingDeclaration[] = [
    { name: 'input', variable: 'x', access: 'read', bytes: sizes.input * 4, type: 'array<f32>' },
    { name: 'outputGrad', variable: 'dy', access: 'read', bytes: sizes.output * 4, type: vectorA ? 'array<vec4<f32>>' : 'array<f32>' },
    { name: 'filterGrad', variable: 'dw', access: 'read_write', bytes: sizes.filters * 4, type: vectorC ? 'array<vec4<f32>>' : 'array<f32>' },
  ];
  const dyIndex = `(k / ${S.u('outPlane')} * ${S.u('outChannels')} + z * ${S.u('fg')} + row) * ${S.u('outPlane')} + k % ${S.u('outPlane')}`;
  const inside =
    S.dynamic || hasPadding(shape) ? `if (ih < 0i || ih >= ${S.i('height')} || iw < 0i || iw >= ${S.i('width')}) { return 0.0; }\n  ` : '';
  const dwIndex = `(z * ${S.u('fg')} + row) * ${S.u('filterLength')} + col`;
  const declarations = [
    declareBindings(bindings),
    ...(S.dynamic ? [declareUniforms(CONV_UNIFORMS, bindings.length)] : []),
    vectorA
      ? `fn loadA4(z: u32, row: u32, k: u32) -> vec4<f32> { return dy[(${dyIndex}) / 4u]; }`
      : `fn loadA(z: u32, row: u32, k: u32) -> f32 { return dy[${dyIndex}]; }`,
    // A column is one filter tap (c, u, v): its channel plane and window offset, once.
    `struct Column { channel: u32, du: i32, dv: i32 }
fn column(z: u32, col: u32) -> Column {
  let tap = col % ${S.u('taps')};
  return Column((z * ${S.u('cg')} + col / ${S.u('taps')}) * ${S.u('inPlane')}, i32(tap / ${S.u('kernelWidth')}) * ${S.i('dh')} - ${S.i('top')}, i32(tap % ${S.u('kernelWidth')}) * ${S.i('dw')} - ${S.i('left')});
}`,
    `fn loadB(c: Column, k: u32) -> f32 {
  let image = k / ${S.u('outPlane')};
  let pixel = k % ${S.u('outPlane')};
  let ih = i32(pixel / ${S.u('outWidth')}) * ${S.i('sh')} + c.du;
  let iw = i32(pixel % ${S.u('outWidth')}) * ${S.i('sw')} + c.dv;
  ${inside}return x[image * ${S.u('inChannels')} * ${S.u('inPlane')} + c.channel + u32(ih * ${S.i('width')} + iw)];
}`,
    `fn store(z: u32, row: u32, col: u32, v: f32) {
  let index = ${dwIndex};
  ${vectorC ? 'dw[index / 4u][index % 4u]' : 'dw[index]'} = v;
}`,
    ...(vectorC ? [`fn store4(z: u32, row: u32, col: u32, v: vec4<f32>) { dw[(${dwIndex}) / 4u] = v; }`] : []),
  ].join('\n\n');
  const gemm: Gemm = { m, n, k, batch: shape.groups, tiles, vectorA, vectorC, declarations, dynamic: S.dynamic };
  return {
    key: `conv2d-filter-grad/${S.key}/${gemmKey(gemm)}`,
    code: gemmShader(gemm),
    bindings: bindingsOf(bindings),
    workgroups: gemmWorkgroups(gemm),
    ...(S.dynamic && { uniforms: { layout: CONV_UNIFORMS, values: { ...gemmUniformValues(gemm), ...convValues(shape) } } }),
  };
}
