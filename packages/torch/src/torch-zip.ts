import { LinearConvError } from '@linearconv/core';
import { unzipSync } from 'fflate';
import { stridedToFloat32 } from './dtypes.js';
import { selectStateDict, toStateDict } from './plain-data.js';
import type { StateDict } from './state-dict.js';
import { PendingTensor, unpickleStateDict } from './unpickle.js';

export interface ReadOptions {
  /**
   * The checkpoint entry that holds the state dict, for a checkpoint that wraps it in a dict
   * (`{ epoch, model_state_dict, opt }`). Default: the root when it is a state dict, else the
   * first of state_dict, model_state_dict, model, net that is one.
   */
  readonly entry?: string;
}

/**
 * Reads a state dict from the zip format torch.save writes (PyTorch ≥ 1.6): `<name>/data.pkl`,
 * unpickled without constructing anything (unpickle.ts), and the storages `<name>/data/<key>`,
 * little-endian. Any strides are handled (views are gathered into row-major order).
 */
export function readTorchZip(bytes: Uint8Array, options: ReadOptions = {}): StateDict {
  let entries: Record<string, Uint8Array>;
  try {
    // Only the small entries first: the pickle and the byte order.
    entries = unzipSync(bytes, { filter: (f) => /^[^/]+\/(data\.pkl|byteorder)$/.test(f.name) });
  } catch (e) {
    throw new LinearConvError('checkpoint', `is not a readable zip file (${(e as Error).message})`);
  }
  const pickles = Object.keys(entries).filter((name) => name.endsWith('/data.pkl'));
  if (pickles.length !== 1) throw new LinearConvError('checkpoint', `is a zip file but not one torch.save wrote (${pickles.length} data.pkl entries)`);
  const root = pickles[0].slice(0, -'data.pkl'.length);
  const order = entries[`${root}byteorder`];
  if (order && new TextDecoder().decode(order).trim() !== 'little') {
    throw new LinearConvError('checkpoint', `stores its tensors ${new TextDecoder().decode(order).trim()}-endian; only little-endian checkpoints are read`);
  }
  const dict = selectStateDict(unpickleStateDict(entries[pickles[0]]), options.entry);

  const wanted = new Set<string>();
  for (const value of dict.values()) {
    if (value instanceof PendingTensor) wanted.add(`${root}data/${value.storage.key}`);
  }
  const storages = unzipSync(bytes, { filter: (f) => wanted.has(f.name) });
  return toStateDict(dict, (key, tensor) => {
    const data = storages[`${root}data/${tensor.storage.key}`];
    if (!data) throw new LinearConvError(key, `refers to storage ${tensor.storage.key}, which the file does not contain`);
    return Object.freeze({
      dtype: tensor.storage.dtype,
      shape: tensor.shape,
      data: stridedToFloat32(key, data, tensor.storage.dtype, tensor.shape, tensor.strides, tensor.offset),
    });
  });
}
