import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, linearGrid, type Program, u32 } from './program.js';
import { type UniformField, uniformLayout } from './uniforms.js';

// Small kernels around the GEMMs: one workgroup per row sums with a tree in workgroup memory.
// Sizes are uniforms: they run on every layer's shapes, so one pipeline each serves them all.

const THREADS = 64;

/** WGSL: `workgroupSum(t, v)` sums v over the workgroup's 64 invocations (call from uniform control flow). */
const WORKGROUP_SUM = `var<workgroup> partial: array<f32, ${THREADS}>;
fn workgroupSum(t: u32, v: f32) -> f32 {
  partial[t] = v;
  workgroupBarrier();
  for (var s = ${u32(THREADS / 2)}; s > 0u; s >>= 1u) {
    if (t < s) { partial[t] += partial[t + s]; }
    workgroupBarrier();
  }
  let total = partial[0];
  workgroupBarrier();
  return total;
}`;

const ROW_UNIFORMS: readonly UniformField[] = [
  ['rows', 'u32'],
  ['gridX', 'u32'],
  ['d', 'u32'],
];

/** One workgroup per row: `row`, an early exit past the last one, `params.d` the row length. */
function rowProgram(
  key: string,
  rows: number,
  d: number,
  bindings: BindingDeclaration[],
  body: string,
  extra: { fields: readonly UniformField[]; values: Record<string, number> } = { fields: [], values: {} },
): Program {
  const [x, y] = linearGrid(rows);
  const layout = uniformLayout('Params', [...ROW_UNIFORMS, ...extra.fields]);
  const code = `${declareBindings(bindings)}
${declareUniforms(layout, bindings.length)}

${WORKGROUP_SUM}

@compute @workgroup_size(${THREADS})
fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {
  let row = wid.x + wid.y * params.gridX;
  if (row >= params.rows) { return; }
${body}
}
`;
  return {
    key,
    code,
    bindings: bindingsOf(bindings),
    workgroups: [x, y, 1],
    uniforms: { layout, values: { rows, gridX: x, d, ...extra.values } },
  };
}

const f = (name: string, variable: string, access: 'read' | 'read_write', floats: number): BindingDeclaration => ({
  name,
  variable,
  access,
  bytes: floats * 4,
  type: 'array<f32>',
});

/**
 * Centres each of `rows` rows of length `d`: out = x − mean(x). With `shifted`, the mean is taken
 * of x − x[0] so a constant row centres to exact zeros (its variance is then exactly 0, as core's
 * guard expects), and `meanSquares` receives Σx²/d per row. Bindings: x, out (, meanSquares).
 */
export function centreRowsProgram(rows: number, d: number, shifted: boolean, names: { x: string; out: string }): Program {
  const bindings = [f(names.x, 'x', 'read', rows * d), f(names.out, 'out', 'read_write', rows * d)];
  if (shifted) bindings.push(f('meanSquares', 'meanSquares', 'read_write', rows));
  return rowProgram(
    `centre-rows${shifted ? '-shifted' : ''}`,
    rows,
    d,
    bindings,
    `  let base = row * params.d;
  let shift = ${shifted ? 'x[base]' : '0.0'};
  var sum = 0.0;
  var squares = 0.0;
  for (var k = t; k < params.d; k += ${u32(THREADS)}) {
    let v = x[base + k];
    sum += v - shift;
    squares += v * v;
  }
  let mean = workgroupSum(t, sum) / f32(params.d);
  ${shifted ? 'let meanSquare = workgroupSum(t, squares) / f32(params.d);\n  if (t == 0u) { meanSquares[row] = meanSquare; }' : ''}
  for (var k = t; k < params.d; k += ${u32(THREADS)}) {
    out[base + k] = (x[base + k] - shift) - mean;
  }`,
  );
}

/** Row norms and the unit rows x / ||x|| (zero rows stay zero). Bindings: x, unit, norms. */
export function normaliseRowsProgram(rows: number, d: number): Program {
  const bindings = [f('primary', 'x', 'read', rows * d), f('unit', 'unit', 'read_write', rows * d), f('norms', 'norms', 'read_write', rows)];
  return rowProgram(
    'normalise-rows',
    rows,
    d,
    bindings,
    `  let base = row * params.d;
  var squares = 0.0;
  for (var k = t; k < params.d; k += ${u32(THREADS)}) { let v = x[base + k]; squares += v * v; }
  let norm = sqrt(workgroupSum(t, squares));
  if (t == 0u) { norms[row] = norm; }
  let scale = select(0.0, 1.0 / norm, norm > 0.0);
  for (var k = t; k < params.d; k += ${u32(THREADS)}) { unit[base + k] = x[base + k] * scale; }`,
  );
}

/**
 * Through the normalisation V̂ = V / ||V||: grad = (g − V̂·(V̂·g)) / ||V||, zero for a zero row.
 * Bindings: unitGrad, unit, norms, grad.
 */
export function projectRowsProgram(rows: number, d: number): Program {
  const bindings = [
    f('unitGrad', 'g', 'read', rows * d),
    f('unit', 'unit', 'read', rows * d),
    f('norms', 'norms', 'read', rows),
    f('grad', 'grad', 'read_write', rows * d),
  ];
  return rowProgram(
    'project-rows',
    rows,
    d,
    bindings,
    `  let base = row * params.d;
  var dot = 0.0;
  for (var k = t; k < params.d; k += ${u32(THREADS)}) { dot += g[base + k] * unit[base + k]; }
  let radial = workgroupSum(t, dot);
  let norm = norms[row];
  for (var k = t; k < params.d; k += ${u32(THREADS)}) {
    let i = base + k;
    grad[i] = select(0.0, (g[i] - radial * unit[i]) / norm, norm > 0.0);
  }`,
  );
}

/**
 * Per row, the sum of `blocks` runs of `length` values, block b starting at b·blockStride +
 * row·length (bias gradients: db[o] = Σ_n Σ_pixel dy[n, o, pixel]; a plain total with one row
 * and one block). With `square`, sums v². Bindings: x, sums.
 */
export function rowSumsProgram(
  rows: number,
  shape: { readonly blocks: number; readonly blockStride: number; readonly length: number },
  square: boolean,
  names: { x: string; sums: string; xFloats: number },
): Program {
  const bindings = [f(names.x, 'x', 'read', names.xFloats), f(names.sums, 'sums', 'read_write', rows)];
  return rowProgram(
    `row-sums${square ? '-squares' : ''}`,
    rows,
    shape.blocks * shape.length,
    bindings,
    `  var sum = 0.0;
  for (var e = t; e < params.d; e += ${u32(THREADS)}) {
    let v = x[(e / params.runLength) * params.blockStride + row * params.runLength + e % params.runLength];
    sum += ${square ? 'v * v' : 'v'};
  }
  let s = workgroupSum(t, sum);
  if (t == 0u) { sums[row] = s; }`,
    {
      fields: [
        ['blockStride', 'u32'],
        ['runLength', 'u32'],
      ],
      values: { blockStride: shape.blockStride, runLength: shape.length },
    },
  );
}
