import { describe, LinearConvError } from '@linearconv/core';

const valid = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * A name every ONNX tool accepts as an identifier: letters, digits and `_`, not starting with a
 * digit. tfjs names may hold `.`, `/` and `-`; those become `_`.
 */
export function sanitizeName(name: string): string {
  const replaced = name.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(replaced) ? replaced : `_${replaced}`;
}

/** A user-chosen graph input or output name: used as given, so it must already be an identifier. */
export function requireName(field: string, name: unknown): string {
  if (typeof name !== 'string' || !valid.test(name)) {
    throw new LinearConvError(field, `must be an identifier (letters, digits and _, not starting with a digit), got ${describe(name)}`);
  }
  return name;
}

/** Hands out sanitised names, each once: a repeat gets `_1`, `_2`, … */
export class NameScope {
  readonly #taken = new Set<string>();

  /** Reserves `name` exactly (a graph input or output); throws if it is taken. */
  reserve(field: string, name: string): string {
    if (this.#taken.has(name)) throw new LinearConvError(field, `"${name}" is used twice`);
    this.#taken.add(name);
    return name;
  }

  unique(hint: string): string {
    const base = sanitizeName(hint);
    let name = base;
    for (let i = 1; this.#taken.has(name); i++) name = `${base}_${i}`;
    this.#taken.add(name);
    return name;
  }
}
