import { describe, LinearConvError } from '@linearconv/core';
import { Parser } from 'pickleparser';
import type { TorchDtype } from './state-dict.js';

/** A storage named by a persistent id: its bytes are the zip entry `data/<key>`. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: TorchDtype,
    readonly elements: number,
  ) {
    // Frozen, as every object this module hands to the parser: a pickle's BUILD cannot alter it.
    Object.freeze(this);
  }
}

/** A tensor as pickled: a strided view into a storage, read once the storage's bytes are known. */
export class PendingTensor {
  readonly shape: readonly number[];
  readonly strides: readonly number[];

  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    shape: readonly number[],
    strides: readonly number[],
  ) {
    // Copies: the pickle's own tuples stay reachable through its memo.
    this.shape = Object.freeze([...shape]);
    this.strides = Object.freeze([...strides]);
    Object.freeze(this);
  }
}

/** The dtype behind each `torch.<Name>Storage` global that torch.save writes. */
const storageTypes: Readonly<Record<string, TorchDtype>> = {
  FloatStorage: 'float32',
  DoubleStorage: 'float64',
  HalfStorage: 'float16',
  BFloat16Storage: 'bfloat16',
  LongStorage: 'int64',
  IntStorage: 'int32',
  ShortStorage: 'int16',
  CharStorage: 'int8',
  ByteStorage: 'uint8',
  BoolStorage: 'bool',
};

/** Stands for a storage type inside a persistent id; never called or constructed. */
class StorageType {
  constructor(readonly dtype: TorchDtype) {
    Object.freeze(this);
  }
}

const refuse = (rule: string) => new LinearConvError('checkpoint', rule);

function requireIndices(what: string, value: unknown): number[] {
  if (!Array.isArray(value) || !value.every((v) => Number.isSafeInteger(v) && v >= 0)) {
    throw refuse(`has a tensor whose ${what} is not a tuple of non-negative integers: ${describe(value)}`);
  }
  return value as number[];
}

function rebuildTensor(storage: unknown, offset: unknown, size: unknown, stride: unknown): PendingTensor {
  if (!(storage instanceof StorageRef)) throw refuse('has a tensor that is not backed by a storage of the file');
  if (!Number.isSafeInteger(offset) || (offset as number) < 0) throw refuse(`has a tensor with storage offset ${describe(offset)}`);
  return new PendingTensor(storage, offset as number, requireIndices('size', size), requireIndices('stride', stride));
}

function requireEmptyHooks(hooks: unknown): void {
  if (!(hooks instanceof Map) || hooks.size > 0) throw refuse('has a tensor with backward hooks, which a state dict never holds');
}

/**
 * The only globals a tensor state dict pickles. Each is an arrow function (REDUCE calls it, but
 * the pickle's NEWOBJ/OBJ/INST cannot construct it) that builds plain data: Maps and
 * PendingTensors. Every other global stops the parse with a named error.
 */
const allowed: Readonly<Record<string, (...args: unknown[]) => unknown>> = {
  'collections.OrderedDict': (...args) => {
    if (args.length > 0) throw refuse('has an OrderedDict pickled with arguments, which torch.save never writes');
    return new Map();
  },
  'torch._utils._rebuild_tensor': (storage, offset, size, stride) => rebuildTensor(storage, offset, size, stride),
  'torch._utils._rebuild_tensor_v2': (storage, offset, size, stride, _requiresGrad, hooks) => {
    requireEmptyHooks(hooks);
    return rebuildTensor(storage, offset, size, stride);
  },
  'torch._utils._rebuild_parameter': (data, _requiresGrad, hooks) => {
    requireEmptyHooks(hooks);
    if (!(data instanceof PendingTensor)) throw refuse('has a parameter that is not a tensor');
    return data;
  },
};

/**
 * Unpickles `pickle` (the data.pkl of a torch.save zip file) with pickleparser, configured so
 * that nothing of the file is executed or constructed: globals resolve only to the handful of
 * data builders above, dicts are Maps (so no key can reach an object's prototype), and
 * persistent ids resolve to StorageRefs. Returns the unpickled root as plain data.
 */
export function unpickleStateDict(pickle: Uint8Array): unknown {
  const storages = new Map<string, StorageRef>();
  const parser = new Parser({
    nameResolver: {
      resolve(module: string, name: string) {
        const qualified = `${module}.${name}`;
        if (module === 'torch' && name in storageTypes) return new StorageType(storageTypes[name]) as never;
        const builder = Object.hasOwn(allowed, qualified) ? allowed[qualified] : undefined;
        if (!builder) {
          throw refuse(
            `pickles ${qualified}, which is not part of a tensor state dict. Only state_dicts are read ` +
              '(torch.save(model.state_dict(), path)): pickled classes and functions are never run',
          );
        }
        return builder;
      },
    },
    persistentResolver: {
      resolve(pid: unknown) {
        if (!Array.isArray(pid) || pid[0] !== 'storage' || !(pid[1] instanceof StorageType) || typeof pid[2] !== 'string' || !Number.isSafeInteger(pid[4])) {
          throw refuse(`has a persistent id that is not a tensor storage: ${describe(pid)}`);
        }
        const [, type, key, , elements] = pid as [string, StorageType, string, string, number];
        const known = storages.get(key);
        if (known && (known.dtype !== type.dtype || known.elements !== elements)) throw refuse(`names storage ${key} twice with different types`);
        const ref = known ?? new StorageRef(key, type.dtype, elements);
        storages.set(key, ref);
        return ref;
      },
    },
    extensionResolver: {
      resolve(code: number) {
        throw refuse(`uses pickle extension code ${code}, which a state dict never does`);
      },
    },
    unpicklingTypeOfDictionary: 'Map',
    unpicklingTypeOfSet: 'array',
  });
  try {
    return parser.parse(pickle);
  } catch (e) {
    if (e instanceof LinearConvError) throw e;
    throw refuse(`is not a readable tensor state dict pickle (${(e as Error).message})`);
  }
}
