/**
 * The one error type the library throws for bad input. `field` names the parameter
 * (a dotted path such as `layer.kernelSize` or `weights.primary`), `rule` says what it broke.
 */
export class LinearConvError extends Error {
  readonly field: string;
  readonly rule: string;

  constructor(field: string, rule: string) {
    super(`${field}: ${rule}`);
    this.name = 'LinearConvError';
    this.field = field;
    this.rule = rule;
  }
}

export function isPositiveInteger(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0;
}

export function requirePositiveInteger(field: string, value: unknown): number {
  if (!isPositiveInteger(value)) {
    throw new LinearConvError(field, `must be a positive integer, got ${describe(value)}`);
  }
  return value;
}

/**
 * A short, safe rendering of a value for an error message: bounded in depth, length and items,
 * so a hostile input (a 100,000-level nested array, a huge string, a throwing toString) cannot
 * overflow the stack or flood the message while the error is being built.
 */
export function describe(value: unknown, depth = 0): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) {
    if (depth >= 3) return `[…${value.length} items]`;
    const shown = value.slice(0, 8).map((v) => describe(v, depth + 1));
    return `[${shown.join(', ')}${value.length > 8 ? `, … ${value.length - 8} more` : ''}]`;
  }
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
  if (typeof value === 'object' && value !== null) return Object.getPrototypeOf(value) === null || Object.getPrototypeOf(value) === Object.prototype ? 'an object' : `a ${value.constructor?.name ?? 'object'}`;
  if (typeof value === 'function') return 'a function';
  return String(value);
}

/**
 * An optional dependency the call needs is not installed. `packageName` is what to install;
 * `field` names the feature that needs it.
 */
export class MissingDependencyError extends LinearConvError {
  readonly packageName: string;

  constructor(feature: string, packageName: string, cause?: unknown) {
    super(feature, `needs ${packageName}, which is not installed (npm install ${packageName})`);
    this.name = 'MissingDependencyError';
    this.packageName = packageName;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** An optional boolean: undefined or true/false, else LinearConvError(field). */
export function requireBoolean(field: string, value: unknown): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new LinearConvError(field, `must be true or false, got ${describe(value)}`);
  return value;
}

/** `value` as a record; LinearConvError(field) unless it is a non-array object (`what` says what was expected). */
export function requireObject(field: string, value: unknown, what = 'an object'): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new LinearConvError(field, `must be ${what}, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

/**
 * `value` as an options object (undefined: `{}`). Refused: anything but a non-array object, and a
 * defined member that is not one of `known` (a typo such as `inputname` would otherwise be ignored).
 */
export function requireOptions<T extends object>(field: string, value: T | undefined, known: readonly (keyof T & string)[]): T;
export function requireOptions(field: string, value: unknown, known: readonly string[]): Record<string, unknown>;
export function requireOptions(field: string, value: unknown, known: readonly string[]): object {
  if (value === undefined) return {};
  requireObject(field, value, known.length ? `an options object { ${known.join(', ')} }` : 'an object');
  for (const [key, member] of Object.entries(value as object)) {
    if (member !== undefined && !known.includes(key)) {
      throw new LinearConvError(`${field}.${key}`, `is not an option (known: ${known.join(', ') || 'none'})`);
    }
  }
  return value as object;
}
