import { describe, expect, it } from 'vitest';
import { checkTiles, gemmShader, gemmThreads } from './gemm.js';
import { chooseTiles, SMALL_TILES, tileProfile } from './tiles.js';
import { uniformLayout } from './uniforms.js';

describe('blockings, shader code and uniform layouts (no GPU)', () => {
  it('always chooses a blocking the generator accepts, within 16 KiB of workgroup memory', () => {
    const sizes = [1, 2, 3, 4, 7, 16, 27, 64, 100, 576, 1024, 4608, 32768];
    for (const profile of ['gpu', 'software'] as const) {
      for (const m of sizes) {
        for (const n of sizes) {
          for (const k of sizes) {
            for (const vectorA of [false, k % 4 === 0]) {
              const tiles = chooseTiles(m, n, k, { profile, vectorA, workgroupBytes: 16384 });
              expect(() => checkTiles(tiles, vectorA, false, 16384)).not.toThrow();
              expect(gemmThreads(tiles)).toBeLessThanOrEqual(256);
            }
          }
        }
      }
    }
  });

  it('uses one fixed blocking below 2^20 multiply-adds and the profile table above', () => {
    expect(chooseTiles(12, 40, 36, { profile: 'software' })).toEqual(SMALL_TILES);
    expect(chooseTiles(64, 1024, 576, { profile: 'software' })).toEqual({ bm: 64, bn: 64, bk: 16, tm: 16, tn: 8 });
    expect(chooseTiles(512, 16, 4608, { profile: 'software' })).toEqual({ bm: 64, bn: 16, bk: 16, tm: 16, tn: 8 });
    expect(chooseTiles(64, 1024, 576, { profile: 'gpu' })).toEqual({ bm: 64, bn: 64, bk: 16, tm: 4, tn: 4 });
  });

  it('names the rule a blocking breaks', () => {
    expect(() => checkTiles({ bm: 64, bn: 64, bk: 16, tm: 2, tn: 2 })).toThrow(/at most 256 invocations/);
    expect(() => checkTiles({ bm: 128, bn: 128, bk: 32, tm: 16, tn: 16 }, false, false, 16384)).toThrow(/fit 16384 bytes of workgroup memory/);
  });

  it('bakes sizes in and checks bounds only where the shape needs it', () => {
    const declarations = `fn loadA(z: u32, row: u32, k: u32) -> f32 { return 0.0; }
struct Column { col: u32 }
fn column(z: u32, col: u32) -> Column { return Column(col); }
fn loadB(c: Column, k: u32) -> f32 { return 0.0; }
fn store(z: u32, row: u32, col: u32, v: f32) {}`;
    const tiles = { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4 };
    const aligned = gemmShader({ m: 64, n: 64, k: 16, batch: 1, tiles, declarations });
    expect(aligned).toContain('k0 < 16u');
    expect(aligned).not.toMatch(/< 64u\)/);
    const ragged = gemmShader({ m: 60, n: 64, k: 18, batch: 1, tiles, declarations });
    expect(ragged).toContain('row0 + r < 60u');
    expect(ragged).toContain('kk < 18u');
  });

  it('derives a uniform struct and its packing from one field list', () => {
    const layout = uniformLayout('Params', [
      ['count', 'u32'],
      ['offset', 'i32'],
      ['alpha', 'f32'],
      ['rows', 'u32'],
      ['extra', 'u32'],
    ]);
    expect(layout.struct).toBe('struct Params {\n  count: u32,\n  offset: i32,\n  alpha: f32,\n  rows: u32,\n  extra: u32,\n}');
    expect(layout.bytes).toBe(32);
    const view = new DataView(layout.pack({ count: 7, offset: -2, alpha: 0.5, rows: 3, extra: 1 }));
    expect([view.getUint32(0, true), view.getInt32(4, true), view.getFloat32(8, true), view.getUint32(12, true)]).toEqual([7, -2, 0.5, 3]);
    expect(() => layout.pack({ count: 1 })).toThrow(/uniform Params.offset has no value/);
  });

  it('treats fallback adapters and CPU drivers as the software profile', () => {
    const device = (info: Partial<GPUAdapterInfo>) => ({ adapterInfo: { architecture: '', description: '', device: '', isFallbackAdapter: false, ...info } }) as unknown as GPUDevice;
    expect(tileProfile(device({ architecture: 'software', description: 'llvmpipe: Mesa 25' }))).toBe('software');
    expect(tileProfile(device({ description: 'SwiftShader Device (Subzero)' }))).toBe('software');
    expect(tileProfile(device({ architecture: 'ampere', description: 'NVIDIA H100' }))).toBe('gpu');
    expect(tileProfile({} as GPUDevice)).toBe('gpu');
  });
});
