import { LinearConvError } from '@linearconv/core';
import { readSafetensors } from './safetensors.js';
import type { StateDict } from './state-dict.js';
import { type ReadOptions, readTorchZip } from './torch-zip.js';

export type CheckpointFormat = 'torch-zip' | 'safetensors' | 'torch-legacy' | 'unknown';

/** The format of a checkpoint's bytes, from its first bytes. */
export function checkpointFormat(bytes: Uint8Array): CheckpointFormat {
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) return 'torch-zip';
  // The legacy format starts with a pickled magic number: PROTO 2, LONG1 of 10 bytes.
  if (bytes[0] === 0x80 && bytes[2] === 0x8a && bytes[3] === 0x0a) return 'torch-legacy';
  if (bytes.byteLength >= 9 && bytes[8] === 0x7b /* { */) return 'safetensors';
  return 'unknown';
}

/**
 * A PyTorch checkpoint's state dict, from its bytes (browser-safe: no file system): the zip
 * format torch.save writes, or safetensors. Tensors come back as float32 in row-major order;
 * anything but tensors and plain values (a pickled module, a custom class) is refused with a
 * LinearConvError, and nothing in the file is ever executed.
 */
export function readStateDict(bytes: Uint8Array | ArrayBuffer, options: ReadOptions = {}): StateDict {
  const data = bytes instanceof Uint8Array ? bytes : bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : undefined;
  if (!data) throw new LinearConvError('bytes', 'must be the checkpoint file as a Uint8Array or ArrayBuffer');
  if (options === null || typeof options !== 'object') throw new LinearConvError('options', 'must be an object { entry? }');
  if (options.entry !== undefined && typeof options.entry !== 'string') throw new LinearConvError('entry', 'must be a string');
  switch (checkpointFormat(data)) {
    case 'torch-zip':
      return readTorchZip(data, options);
    case 'safetensors':
      return readSafetensors(data);
    case 'torch-legacy':
      throw new LinearConvError(
        'checkpoint',
        'is in the legacy torch.save format (PyTorch < 1.6, or _use_new_zipfile_serialization=False), which is not read; ' +
          're-save it with PyTorch ≥ 1.6: torch.save(torch.load(old, map_location="cpu"), new)',
      );
    case 'unknown':
      throw new LinearConvError('checkpoint', 'is neither a torch.save zip file nor a safetensors file');
  }
}
