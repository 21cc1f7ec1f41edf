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

export function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(describe).join(', ')}]`;
  if (ArrayBuffer.isView(value)) return `${value.constructor.name}(${(value as Float32Array).length})`;
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
