import { readFile } from 'node:fs/promises';
import { LinearConvError } from '@linearconv/core';
import { readStateDict } from './read-state-dict.js';
import type { StateDict } from './state-dict.js';
import type { ReadOptions } from './torch-zip.js';

export * from './index.js';

/** Reads a checkpoint file (torch.save zip or .safetensors) into a state dict. */
export async function readTorchFile(path: string, options: ReadOptions = {}): Promise<StateDict> {
  if (typeof path !== 'string') throw new LinearConvError('path', 'must be a file path string');
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new LinearConvError('path', `cannot read ${path} (${(e as Error).message})`);
  }
  try {
    return readStateDict(bytes, options);
  } catch (e) {
    // The file's name helps more than 'checkpoint'.
    if (e instanceof LinearConvError && e.field === 'checkpoint') throw new LinearConvError(path, e.rule);
    throw e;
  }
}
