import { GEMM_UNIFORMS, type Gemm, gemmKey, gemmShader, gemmUniformValues, gemmWorkgroups } from './gemm.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, type Program } from './program.js';
import { chooseTiles, type TileTarget } from './tiles.js';
import { uniformLayout } from './uniforms.js';

/** A matrix operand inside a buffer: row-major from `offset` (in floats), or its transpose. */
export interface MatrixOperand {
  /** The parameter named in errors. */
  readonly name: string;
  readonly offset?: number;
  /** Read the stored matrix transposed: stored [k, m] for A, [n, k] for B. */
  readonly transposed?: boolean;
}

export interface Matmul {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly a: MatrixOperand;
  readonly b: MatrixOperand;
  readonly out: { readonly name: string; readonly offset?: number };
  /** out = alpha · A·B (+ addend) (− I); alpha 1 by default. */
  readonly alpha?: number;
  /** A matrix added to the product, [m, n] from its offset. */
  readonly addend?: { readonly name: string; readonly offset?: number };
  /** Subtract the identity (square products only): the orthogonality residual G − I. */
  readonly subtractIdentity?: boolean;
  readonly target?: TileTarget;
}

const MATMUL_UNIFORMS = uniformLayout('Params', [
  ...GEMM_UNIFORMS,
  ['aOffset', 'u32'],
  ['bOffset', 'u32'],
  ['addOffset', 'u32'],
  ['outOffset', 'u32'],
  ['alpha', 'f32'],
]);

/**
 * A dense product on the shared tiled GEMM: the composition W = A·P, its backward and the
 * regularisers' products are these. Small and many, so sizes and offsets are uniforms: the
 * key names only the layout flags, vector paths and blocking, and one pipeline serves every
 * layer. Bindings: a, b, addend (when used), out.
 */
export function matmulProgram(mm: Matmul): Program {
  const { m, n, k } = mm;
  const aOffset = mm.a.offset ?? 0;
  const bOffset = mm.b.offset ?? 0;
  const outOffset = mm.out.offset ?? 0;
  const addOffset = mm.addend?.offset ?? 0;
  const vectorA = !mm.a.transposed && k % 4 === 0 && aOffset % 4 === 0;
  const vectorB = !mm.b.transposed && n % 4 === 0 && bOffset % 4 === 0;
  const vectorC = n % 4 === 0 && outOffset % 4 === 0 && (!mm.addend || addOffset % 4 === 0);
  const tiles = chooseTiles(m, n, k, { ...mm.target, vectorA, vectorB });
  const vec = (yes: boolean) => (yes ? 'array<vec4<f32>>' : 'array<f32>');
  const bindings: BindingDeclaration[] = [
    { name: mm.a.name, variable: 'a', access: 'read', bytes: (aOffset + m * k) * 4, type: vec(vectorA) },
    { name: mm.b.name, variable: 'b', access: 'read', bytes: (bOffset + k * n) * 4, type: vec(vectorB) },
    ...(mm.addend ? [{ name: mm.addend.name, variable: 'addend', access: 'read' as const, bytes: (addOffset + m * n) * 4, type: vec(vectorC) }] : []),
    { name: mm.out.name, variable: 'result', access: 'read_write', bytes: (outOffset + m * n) * 4, type: vec(vectorC) },
  ];
  const aIndex = mm.a.transposed ? 'params.aOffset + k * params.m + row' : 'params.aOffset + row * params.k + k';
  const bIndex = mm.b.transposed ? 'params.bOffset + c.col * params.k + k' : 'params.bOffset + k * params.n + c.col';
  // The epilogue: alpha · v (+ addend at the same element) (− 1 on the diagonal).
  const value = (v: string, index: (base: string) => string, diagonal: string) =>
    `params.alpha * ${v}${mm.addend ? ` + addend[${index('params.addOffset')}]` : ''}${mm.subtractIdentity ? ` - ${diagonal}` : ''}`;
  const declarations = [
    declareBindings(bindings),
    declareUniforms(MATMUL_UNIFORMS, bindings.length),
    vectorA
      ? `fn loadA4(z: u32, row: u32, k: u32) -> vec4<f32> { return a[(${aIndex}) / 4u]; }`
      : `fn loadA(z: u32, row: u32, k: u32) -> f32 { return a[${aIndex}]; }`,
    'struct Column { col: u32 }\nfn column(z: u32, col: u32) -> Column { return Column(col); }',
    vectorB
      ? `fn loadB4(c: Column, k: u32) -> vec4<f32> { return b[(${bIndex}) / 4u]; }`
      : `fn loadB(c: Column, k: u32) -> f32 { return b[${bIndex}]; }`,
    vectorC
      ? `fn store(z: u32, row: u32, col: u32, v: f32) {
  let i = row * params.n + col;
  result[(params.outOffset + i) / 4u][(params.outOffset + i) % 4u] = ${value('v', (o) => `(${o} + i) / 4u][(${o} + i) % 4u`, 'select(0.0, 1.0, row == col)')};
}
fn store4(z: u32, row: u32, col: u32, v: vec4<f32>) {
  let i = row * params.n + col;
  result[(params.outOffset + i) / 4u] = ${value('v', (o) => `(${o} + i) / 4u`, 'select(vec4<f32>(), vec4<f32>(1.0), vec4<u32>(col, col + 1u, col + 2u, col + 3u) == vec4<u32>(row))')};
}`
      : `fn store(z: u32, row: u32, col: u32, v: f32) {
  let i = row * params.n + col;
  result[params.outOffset + i] = ${value('v', (o) => `${o} + i`, 'select(0.0, 1.0, row == col)')};
}`,
  ].join('\n\n');
  const gemm: Gemm = { m, n, k, batch: 1, tiles, vectorA, vectorB, vectorC, declarations, dynamic: true };
  const layout = `a${mm.a.transposed ? 't' : 'n'}-b${mm.b.transposed ? 't' : 'n'}${mm.addend ? '-add' : ''}${mm.subtractIdentity ? '-minusI' : ''}`;
  return {
    key: `matmul/${layout}/${gemmKey(gemm)}`,
    code: gemmShader(gemm),
    bindings: bindingsOf(bindings),
    workgroups: gemmWorkgroups(gemm),
    uniforms: {
      layout: MATMUL_UNIFORMS,
      values: { ...gemmUniformValues(gemm), aOffset, bOffset, addOffset, outOffset, alpha: mm.alpha ?? 1 },
    },
  };
}
