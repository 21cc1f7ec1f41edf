import { describe, LinearConvError } from '@linearconv/core';
import { isTorchTensor, type StateDict, type StateDictValue, type TorchTensor } from './state-dict.js';
import { PendingTensor } from './unpickle.js';

/** A pickled dict as the parser gives it: a Map straight from the parser, nothing grafted on. */
export function isPlainMap(value: unknown): value is Map<unknown, unknown> {
  return value instanceof Map && Object.getPrototypeOf(value) === Map.prototype && Object.keys(value).length === 0;
}

/** True when every value of `dict` is a tensor or a plain value (a state dict, not a wrapper). */
export function isStateDictLike(dict: Map<unknown, unknown>): boolean {
  return [...dict.values()].every((v) => v instanceof PendingTensor || isTorchTensor(v) || isPlainValue(v));
}

function isPlainValue(value: unknown): boolean {
  return value === null || ['number', 'boolean', 'string', 'bigint'].includes(typeof value);
}

/**
 * Picks the state dict out of an unpickled root: the root itself when every value is a tensor
 * or a plain value; otherwise `entry`, or the first of the names training scripts use
 * (`state_dict`, `model_state_dict` — the authors' —, `model`, `net`) that holds one.
 */
export function selectStateDict(root: unknown, entry: string | undefined): Map<unknown, unknown> {
  if (!isPlainMap(root)) throw new LinearConvError('checkpoint', `holds ${kindOf(root)}, not a dict of tensors (a state_dict)`);
  if (entry !== undefined) {
    const chosen = root.get(entry);
    if (!isPlainMap(chosen)) {
      throw new LinearConvError('entry', `must name a dict of tensors in the checkpoint; ${describe(entry)} is ${chosen === undefined ? 'not one of its keys' : kindOf(chosen)} (keys: ${keysOf(root)})`);
    }
    return chosen;
  }
  if (isStateDictLike(root)) return root;
  for (const name of ['state_dict', 'model_state_dict', 'model', 'net']) {
    const candidate = root.get(name);
    if (isPlainMap(candidate) && isStateDictLike(candidate)) return candidate;
  }
  throw new LinearConvError('checkpoint', `is a dict whose entries are not all tensors, and none of state_dict, model_state_dict, model, net holds one; pass entry (keys: ${keysOf(root)})`);
}

/** The selected dict as a StateDict, each tensor read by `read`. Keys must be strings. */
export function toStateDict(dict: Map<unknown, unknown>, read: (key: string, tensor: PendingTensor) => TorchTensor): StateDict {
  const entries: [string, StateDictValue][] = [];
  for (const [key, value] of dict) {
    if (typeof key !== 'string') throw new LinearConvError('checkpoint', `has a non-string key ${describe(key)}`);
    entries.push([key, entryValue(key, value, read)]);
  }
  // fromEntries defines own properties: a key such as "__proto__" stays an ordinary key.
  return Object.freeze(Object.fromEntries(entries));
}

function entryValue(key: string, value: unknown, read: (key: string, tensor: PendingTensor) => TorchTensor): StateDictValue {
  if (value instanceof PendingTensor) return read(key, value);
  if (typeof value === 'bigint') {
    if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) throw new LinearConvError(key, `holds an integer beyond ±2^53: ${value}`);
    return Number(value);
  }
  if (isPlainValue(value)) return value as StateDictValue;
  throw new LinearConvError(key, `holds ${kindOf(value)}, not a tensor or a plain value`);
}

function kindOf(value: unknown): string {
  if (value instanceof Map) return 'a dict';
  if (Array.isArray(value)) return 'a list or tuple';
  if (value instanceof Uint8Array) return 'bytes';
  return value === null ? 'None' : `a ${typeof value}`;
}

function keysOf(map: Map<unknown, unknown>): string {
  const keys = [...map.keys()].map((k) => describe(k));
  return keys.length > 8 ? `${keys.slice(0, 8).join(', ')}, …` : keys.join(', ');
}
