import { describe, LinearConvError } from '@linearconv/core';

export function requireBoolean(field: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new LinearConvError(field, `must be true or false, got ${describe(value)}`);
  return value;
}
