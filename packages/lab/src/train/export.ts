/** The trained LinearConv model as a compact ONNX file (primaries and coefficients stored), to download. */
import { exportModel } from '@linearconv/onnx';
import type { LayersModel } from '@tensorflow/tfjs-layers';

export const ONNX_FILE = 'linearconv-digits.onnx';

export function compactOnnx(model: LayersModel): Uint8Array {
  return exportModel(model, { mode: 'compact' });
}

/** Saves `bytes` as `name` through the browser's download (an object URL on a transient link). */
export function download(doc: Document, bytes: Uint8Array, name: string): void {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const link = doc.createElement('a');
  link.href = url;
  link.download = name;
  doc.body.append(link);
  link.click();
  link.remove();
  // After the click has handed the URL to the download.
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
