import { checkTiles, type Tiles } from './gemm.js';

/**
 * Which blocking table to use. `gpu`: a real GPU, where many small register blocks (4×4) and
 * a big workgroup hide memory latency. `software`: a CPU rasteriser (Mesa lavapipe, SwiftShader),
 * where an invocation is one SIMD lane and a workgroup barrier swaps every lane's registers out:
 * big register blocks (16×8) and few invocations win there (measured, see bench-results.md).
 */
export type TileProfile = 'gpu' | 'software';

/** `software` for fallback adapters and the known CPU Vulkan drivers, else `gpu`. */
export function tileProfile(device: GPUDevice): TileProfile {
  const info = (device as { adapterInfo?: GPUAdapterInfo }).adapterInfo;
  if (!info) return 'gpu';
  const text = `${info.architecture} ${info.description} ${info.device}`;
  return info.isFallbackAdapter || /software|llvmpipe|lavapipe|swiftshader/i.test(text) ? 'software' : 'gpu';
}

/** What the blocking depends on besides the matrix: the profile and the workgroup-memory limit. */
export interface TileTarget {
  readonly profile: TileProfile;
  /** maxComputeWorkgroupStorageSize */
  readonly workgroupBytes: number;
}

/** The tile target of a device. */
export function tileTarget(device: GPUDevice): TileTarget {
  return { profile: tileProfile(device), workgroupBytes: device.limits.maxComputeWorkgroupStorageSize };
}

export interface TileOptions {
  readonly profile?: TileProfile;
  readonly vectorA?: boolean;
  readonly vectorB?: boolean;
  /** The device's maxComputeWorkgroupStorageSize; 16 KiB (WebGPU's guaranteed minimum) by default. */
  readonly workgroupBytes?: number;
}

/** GEMMs of fewer multiply-adds than this are small: shape-generic pipelines, `SMALL_TILES`. */
export const SMALL_GEMM_MACS = 1 << 20;

/** The blocking of GEMMs too small for their blocking to matter: 32×32 tiles, 4×4 per invocation. */
export const SMALL_TILES: Tiles = { bm: 32, bn: 32, bk: 8, tm: 4, tn: 4 };

/**
 * The blocking for a GEMM of m × n over k: the profile's preferred register block and tile,
 * shrunk to the matrix so small layers (a 4×4 map, a depthwise filter) do not compute mostly
 * padding. Always returns a blocking `checkTiles` accepts.
 */
export function chooseTiles(m: number, n: number, k: number, options: TileOptions = {}): Tiles {
  const software = options.profile === 'software';
  // Below a million multiply-adds the kernel runs in microseconds and compiling it is the cost:
  // one fixed, quick-to-compile blocking lets the shape-generic pipelines be shared.
  if (m * n * k < SMALL_GEMM_MACS) return SMALL_TILES;
  const preferred = software ? { tm: 16, tn: 8, bm: 64, bn: n <= 16 ? 16 : 64 } : { tm: 4, tn: 4, bm: 64, bn: 64 };
  const tm = Math.min(preferred.tm, pow2AtLeast(m));
  const tn = Math.min(preferred.tn, pow2AtLeast(n));
  const bm = Math.max(tm, Math.min(preferred.bm, pow2AtLeast(m)));
  const bn = Math.max(tn, Math.min(preferred.bn, pow2AtLeast(n)));
  const minK = options.vectorA ? 4 : 1;
  const bk = Math.max(minK, Math.min(16, pow2AtLeast(k)));
  const candidates: Tiles[] = [
    { bm, bn, bk, tm, tn },
    { bm, bn, bk: 16, tm, tn },
    { bm, bn: Math.max(bn, 64), bk: 16, tm, tn: Math.min(tn, 4) },
    { bm: 16, bn: 64, bk: 16, tm: 4, tn: 4 },
  ];
  for (const tiles of candidates) {
    try {
      checkTiles(tiles, options.vectorA, options.vectorB, options.workgroupBytes ?? 16384);
      return tiles;
    } catch {
      // next candidate
    }
  }
  throw new Error(`no blocking fits a ${m} × ${n} × ${k} GEMM`);
}

function pow2AtLeast(v: number): number {
  let p = 1;
  while (p < v) p *= 2;
  return p;
}
