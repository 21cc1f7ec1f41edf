import { linearGrid, u32 } from './program.js';
import type { UniformField } from './uniforms.js';

/**
 * The blocking of one GEMM: a workgroup computes a bm × bn tile of C, stepping through K by bk
 * with both operand tiles in workgroup memory; each invocation holds a tm × tn block of C in
 * registers, so every value it reads from workgroup memory feeds tm or tn multiply-adds.
 */
export interface Tiles {
  readonly bm: number;
  readonly bn: number;
  readonly bk: number;
  readonly tm: number;
  readonly tn: number;
}

/**
 * A GEMM C[z][m, n] = Σ_k A[z][m, k] · B[z][k, n] whose operands and result are reached through
 * WGSL functions the caller declares, so a convolution reads its input as an implicit im2col
 * matrix without building it. In `declarations`:
 *
 * - `fn loadA(z: u32, row: u32, k: u32) -> f32` (and `loadA4` for k..k+3 when `vectorA`);
 * - `struct Column`, `fn column(z: u32, col: u32) -> Column` (work per column done once per
 *   invocation, outside the K loop) and `fn loadB(c: Column, k: u32) -> f32` (and `loadB4` for
 *   columns col..col+3 when `vectorB`);
 * - `fn store(z: u32, row: u32, col: u32, v: f32)` (and `store4` for col..col+3 when `vectorC`).
 *
 * Loads and stores are only called in range: the generator adds bounds checks exactly where the
 * shape does not divide into tiles.
 */
export interface Gemm {
  readonly m: number;
  readonly n: number;
  readonly k: number;
  /** Independent GEMMs (groups of a grouped conv): the grid's z. */
  readonly batch: number;
  readonly tiles: Tiles;
  readonly declarations: string;
  /** `loadA4(z, row, k)` exists: K % 4 == 0 and rows start 16-byte aligned. */
  readonly vectorA?: boolean;
  /** `loadB4(c, k)` exists: N % 4 == 0 and four columns from a multiple of 4 are contiguous. */
  readonly vectorB?: boolean;
  /** `store4(z, row, col, v)` exists: N % 4 == 0 and four columns are contiguous in the output. */
  readonly vectorC?: boolean;
  /**
   * Read m, n, k and the grid from `params` (fields `GEMM_UNIFORMS`, declared by the caller)
   * instead of baking them in: every bound is then checked, and one pipeline serves all shapes.
   */
  readonly dynamic?: boolean;
}

/** The uniform fields a dynamic GEMM reads; a caller's layout starts with them. */
export const GEMM_UNIFORMS: readonly UniformField[] = [
  ['m', 'u32'],
  ['n', 'u32'],
  ['k', 'u32'],
  ['colTiles', 'u32'],
  ['tileCount', 'u32'],
  ['gridX', 'u32'],
];

/** Their values for one GEMM. */
export function gemmUniformValues(gemm: Pick<Gemm, 'm' | 'n' | 'k' | 'tiles' | 'batch'>): Record<string, number> {
  const colTiles = Math.ceil(gemm.n / gemm.tiles.bn);
  const tileCount = colTiles * Math.ceil(gemm.m / gemm.tiles.bm);
  return { m: gemm.m, n: gemm.n, k: gemm.k, colTiles, tileCount, gridX: gemmWorkgroups(gemm)[0] };
}

/** The part of a shader key that names a GEMM's blocking and vector paths. */
export function gemmKey(gemm: Gemm): string {
  const { bm, bn, bk, tm, tn } = gemm.tiles;
  const v = `${gemm.vectorA ? 'a' : ''}${gemm.vectorB ? 'b' : ''}${gemm.vectorC ? 'c' : ''}` || 'scalar';
  return `t${bm}x${bn}x${bk}-r${tm}x${tn}-v${v}`;
}

export function gemmThreads(tiles: Tiles): number {
  return (tiles.bm / tiles.tm) * (tiles.bn / tiles.tn);
}

/** The workgroup grid of a GEMM: tiles flattened into x (and y past the per-dimension limit), batch in z. */
export function gemmWorkgroups(gemm: Pick<Gemm, 'm' | 'n' | 'tiles' | 'batch'>): [number, number, number] {
  const [x, y] = linearGrid(Math.ceil(gemm.m / gemm.tiles.bm) * Math.ceil(gemm.n / gemm.tiles.bn));
  return [x, y, gemm.batch];
}

/** Workgroup memory a blocking uses: both operand tiles. */
export function tileBytes({ bm, bn, bk }: Tiles): number {
  return (bm + bn) * bk * 4;
}

/** Checks that a blocking is one the generator can emit; throws naming the rule it breaks. */
export function checkTiles(tiles: Tiles, vectorA = false, vectorB = false, workgroupBytes = 16384): void {
  const { bm, bn, bk, tm, tn } = tiles;
  const threads = gemmThreads(tiles);
  const bChunksPerRow = bn / (vectorB ? 4 : 1);
  const rules: [boolean, string][] = [
    [[bm, bn, bk, tm, tn].every((v) => Number.isInteger(v) && v > 0), 'sizes are positive integers'],
    [bm % tm === 0 && bn % tn === 0, 'tm divides bm and tn divides bn'],
    [threads <= 256, 'at most 256 invocations'],
    [!vectorA || bk % 4 === 0, 'vector A loads need bk % 4 == 0'],
    [!vectorB || bn % 4 === 0, 'vector B loads need bn % 4 == 0'],
    [
      threads % bChunksPerRow === 0 ? bk % (threads / bChunksPerRow) === 0 : bChunksPerRow % threads === 0,
      'the invocations cover the B tile in whole rows (or whole multiples of a row)',
    ],
    [tileBytes(tiles) <= workgroupBytes, `the tiles fit ${workgroupBytes} bytes of workgroup memory`],
  ];
  const broken = rules.filter(([ok]) => !ok).map(([, rule]) => rule);
  if (broken.length > 0) throw new Error(`tiles ${JSON.stringify(tiles)} break: ${broken.join('; ')}`);
}

/** The WGSL of a GEMM: workgroup tiles, a register block per invocation, bounds checks only where needed. */
export function gemmShader(gemm: Gemm): string {
  const { m, n, k, tiles } = gemm;
  const { bm, bn, bk, tm, tn } = tiles;
  const vectorA = gemm.vectorA === true;
  const vectorB = gemm.vectorB === true;
  checkTiles(tiles, vectorA, vectorB, Number.POSITIVE_INFINITY);
  const threads = gemmThreads(tiles);
  const colTiles = Math.ceil(n / bn);
  const tileCount = colTiles * Math.ceil(m / bm);
  const [gridX] = gemmWorkgroups(gemm);
  // Sizes: constants the compiler folds, or fields of `params` for a shape-generic pipeline.
  const dynamic = gemm.dynamic === true;
  const size = (name: string, value: number) => (dynamic ? `params.${name}` : u32(value));
  const M = size('m', m);
  const N = size('n', n);
  const K = size('k', k);
  const COL_TILES = size('colTiles', colTiles);
  const TILE_COUNT = size('tileCount', tileCount);
  const GRID_X = size('gridX', gridX);
  const less = (name: string, value: number, minus: number) => (dynamic ? `(params.${name} - ${u32(minus)})` : u32(value - minus));
  const checkM = dynamic || m % bm !== 0;
  const checkN = dynamic || n % bn !== 0;
  const checkK = dynamic || k % bk !== 0;

  // Workgroup memory holds A k-major (As[kk][row]) and B k-major (Bs[kk][col]), so the inner loop
  // reads a thread's tm rows and tn columns as contiguous runs: vec4 where they are whole vec4s.
  const aVec = tm % 4 === 0;
  const bVec = tn % 4 === 0;
  const aType = aVec ? 'vec4<f32>' : 'f32';
  const bType = bVec ? 'vec4<f32>' : 'f32';
  const aLen = aVec ? (bm * bk) / 4 : bm * bk;
  const bLen = bVec ? (bk * bn) / 4 : bk * bn;
  const setA = (index: string, value: string) => (aVec ? `As[(${index}) / 4u][(${index}) % 4u] = ${value};` : `As[${index}] = ${value};`);

  const lines: string[] = [];
  const emit = (line: string) => lines.push(line);

  // Loads into workgroup memory. A: chunks of va values along k; B: chunks of vb columns.
  const va = vectorA ? 4 : 1;
  const vb = vectorB ? 4 : 1;
  const aChunksPerRow = bk / va;
  const aChunks = (bm * bk) / va;
  const bChunksPerRow = bn / vb;
  // Each invocation keeps its B columns for the whole K loop, so their setup runs once.
  const bColumns = threads % bChunksPerRow === 0 ? 1 : bChunksPerRow / threads;
  const bRowStep = threads % bChunksPerRow === 0 ? threads / bChunksPerRow : 1;

  emit(`var<workgroup> As: array<${aType}, ${aLen}>;`);
  emit(`var<workgroup> Bs: array<${bType}, ${bLen}>;`);
  emit('');
  emit(`@compute @workgroup_size(${threads})`);
  emit('fn main(@builtin(local_invocation_index) t: u32, @builtin(workgroup_id) wid: vec3<u32>) {');
  emit(`  let tile = wid.x + wid.y * ${GRID_X};`);
  if (dynamic || gridX * gemmWorkgroups(gemm)[1] !== tileCount) emit(`  if (tile >= ${TILE_COUNT}) { return; }`);
  emit('  let z = wid.z;');
  emit(`  let row0 = (tile / ${COL_TILES}) * ${u32(bm)};`);
  emit(`  let col0 = (tile % ${COL_TILES}) * ${u32(bn)};`);
  for (let q = 0; q < bColumns; q++) {
    const chunk = bColumns === 1 ? `t % ${u32(bChunksPerRow)}` : `t + ${u32(q * threads)}`;
    emit(`  let bCol${q} = (${chunk}) * ${u32(vb)};`);
    emit(`  let bColumn${q} = column(z, min(col0 + bCol${q}, ${less('n', n, vb)}));`);
    if (checkN) emit(`  let bInside${q} = col0 + bCol${q} < ${N};`);
  }
  emit(`  let bK = ${bColumns === 1 ? `t / ${u32(bChunksPerRow)}` : '0u'};`);
  // A block that spans the tile's rows (or columns) reads the same addresses in every
  // invocation: written as a constant, the compiler can see the reads are uniform.
  const tx = bn === tn ? '0u' : `(t % ${u32(bn / tn)})`;
  const ty = bm === tm ? '0u' : `(t / ${u32(bn / tn)})`;
  emit(`  let tx = ${tx};`);
  emit(`  let ty = ${ty};`);
  for (let i = 0; i < tm; i++) {
    for (let j = 0; j < (bVec ? tn / 4 : tn); j++) emit(`  var acc${i}_${j} = ${bVec ? 'vec4<f32>()' : '0.0'};`);
  }
  emit(`  for (var k0 = 0u; k0 < ${K}; k0 += ${u32(bk)}) {`);
  {
    // A: chunk e of the tile is row e / (bk / va), k offset (e % (bk / va)) · va.
    emit(`    for (var e = t; e < ${u32(aChunks)}; e += ${u32(threads)}) {`);
    emit(`      let r = e / ${u32(aChunksPerRow)};`);
    emit(`      let ka = (e % ${u32(aChunksPerRow)}) * ${u32(va)};`);
    emit(`      let kk = k0 + ka;`);
    const conds = [...(checkM ? [`row0 + r < ${M}`] : []), ...(checkK ? [`kk < ${K}`] : [])];
    const guard = (expr: string, zero: string) => (conds.length ? `select(${zero}, ${expr}, ${conds.join(' && ')})` : expr);
    if (vectorA) {
      // K % 4 == 0 with bk % 4 == 0: a vec4 chunk is wholly inside or outside K.
      emit(`      let v = ${guard(`loadA4(z, min(row0 + r, ${less('m', m, 1)}), min(kk, ${less('k', k, 4)}))`, 'vec4<f32>()')};`);
      for (let q = 0; q < 4; q++) emit(`      ${setA(`(ka + ${u32(q)}) * ${u32(bm)} + r`, `v[${q}]`)}`);
    } else {
      emit(`      let v = ${guard(`loadA(z, min(row0 + r, ${less('m', m, 1)}), min(kk, ${less('k', k, 1)}))`, '0.0')};`);
      emit(`      ${setA(`ka * ${u32(bm)} + r`, 'v')}`);
    }
    emit(`    }`);
  }
  // B: each invocation fills its fixed columns, k rows bK, bK + step, …
  emit(`    for (var kr = bK; kr < ${u32(bk)}; kr += ${u32(bRowStep)}) {`);
  emit(`      let kk = k0 + kr;`);
  for (let q = 0; q < bColumns; q++) {
    const conds = [...(checkN ? [`bInside${q}`] : []), ...(checkK ? [`kk < ${K}`] : [])];
    const zero = vectorB ? 'vec4<f32>()' : '0.0';
    const load = `${vectorB ? 'loadB4' : 'loadB'}(bColumn${q}, ${checkK ? `min(kk, ${less('k', k, 1)})` : 'kk'})`;
    const value = conds.length ? `select(${zero}, ${load}, ${conds.join(' && ')})` : load;
    const col = `bCol${q}`;
    if (vectorB && bVec) emit(`      Bs[(kr * ${u32(bn)} + ${col}) / 4u] = ${value};`);
    else if (vectorB) {
      emit(`      { let v = ${value};`);
      for (let c = 0; c < 4; c++) emit(`      Bs[kr * ${u32(bn)} + ${col} + ${u32(c)}] = v[${c}];`);
      emit('      }');
    } else if (bVec) emit(`      Bs[(kr * ${u32(bn)} + ${col}) / 4u][${col} % 4u] = ${value};`);
    else emit(`      Bs[kr * ${u32(bn)} + ${col}] = ${value};`);
  }
  emit(`    }`);
  emit('    workgroupBarrier();');
  const fmas = (a: (i: number) => string) => {
    for (let i = 0; i < tm; i++) {
      if (bVec) for (let j = 0; j < tn / 4; j++) emit(`      acc${i}_${j} = fma(vec4<f32>(${a(i)}), b${j}, acc${i}_${j});`);
      else for (let j = 0; j < tn; j++) emit(`      acc${i}_${j} = fma(${a(i)}, b${j}, acc${i}_${j});`);
    }
  };
  const readB = (kk: string) => {
    if (bVec) for (let j = 0; j < tn / 4; j++) emit(`      let b${j} = Bs[${kk} * ${u32(bn / 4)} + tx * ${u32(tn / 4)} + ${u32(j)}];`);
    else for (let j = 0; j < tn; j++) emit(`      let b${j} = Bs[${kk} * ${u32(bn)} + tx * ${u32(tn)} + ${u32(j)}];`);
  };
  emit(`    for (var kk = 0u; kk < ${u32(bk)}; kk++) {`);
  if (aVec) for (let i = 0; i < tm / 4; i++) emit(`      let a${i} = As[kk * ${u32(bm / 4)} + ty * ${u32(tm / 4)} + ${u32(i)}];`);
  else for (let i = 0; i < tm; i++) emit(`      let a${i} = As[kk * ${u32(bm)} + ty * ${u32(tm)} + ${u32(i)}];`);
  readB('kk');
  fmas((i) => (aVec ? `a${Math.floor(i / 4)}[${i % 4}]` : `a${i}`));
  emit('    }');
  emit('    workgroupBarrier();');
  emit('  }');
  // Epilogue: each invocation writes its tm × tn block.
  for (let i = 0; i < tm; i++) {
    emit(`  {`);
    emit(`    let row = row0 + ty * ${u32(tm)} + ${u32(i)};`);
    const rowOk = checkM ? `row < ${M}` : '';
    if (bVec) {
      for (let j = 0; j < tn / 4; j++) {
        emit(`    {`);
        emit(`      let col = col0 + tx * ${u32(tn)} + ${u32(j * 4)};`);
        if (gemm.vectorC) {
          const conds = [rowOk, checkN ? `col < ${N}` : ''].filter(Boolean);
          emit(`      ${conds.length ? `if (${conds.join(' && ')}) { ` : ''}store4(z, row, col, acc${i}_${j});${conds.length ? ' }' : ''}`);
        } else {
          for (let q = 0; q < 4; q++) {
            const conds = [rowOk, checkN ? `col + ${u32(q)} < ${N}` : ''].filter(Boolean);
            emit(`      ${conds.length ? `if (${conds.join(' && ')}) { ` : ''}store(z, row, col + ${u32(q)}, acc${i}_${j}[${q}]);${conds.length ? ' }' : ''}`);
          }
        }
        emit(`    }`);
      }
    } else {
      for (let j = 0; j < tn; j++) {
        const col = `col0 + tx * ${u32(tn)} + ${u32(j)}`;
        const conds = [rowOk, checkN ? `${col} < ${N}` : ''].filter(Boolean);
        emit(`    ${conds.length ? `if (${conds.join(' && ')}) { ` : ''}store(z, row, ${col}, acc${i}_${j});${conds.length ? ' }' : ''}`);
      }
    }
    emit(`  }`);
  }
  emit('}');
  return `${gemm.declarations}\n\n${lines.join('\n')}\n`;
}
