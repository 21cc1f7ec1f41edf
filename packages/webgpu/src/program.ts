import type { UniformLayout } from './uniforms.js';

/** How a kernel uses one storage buffer; `name` is the parameter named in errors. */
export interface Binding {
  readonly name: string;
  readonly access: 'read' | 'read_write';
  /** Bytes the kernel reads or writes, from offset 0: the buffer must hold at least this many. */
  readonly bytes: number;
}

/**
 * One compute kernel specialised for one shape: the WGSL (entry point `main`), the buffers it binds
 * (group 0, binding i in order) and its grid. `key` names every specialisation that changes the
 * code: equal keys mean equal code, so the pipeline cache is keyed by it.
 */
export interface Program {
  readonly key: string;
  readonly code: string;
  readonly bindings: readonly Binding[];
  readonly workgroups: readonly [number, number, number];
  /**
   * Sizes passed at dispatch instead of baked into the code, for the small helper kernels: one
   * pipeline then serves every shape. Bound after the storage buffers as `params`.
   */
  readonly uniforms?: { readonly layout: UniformLayout; readonly values: Readonly<Record<string, number>> };
}

/** The WGSL declaration of a program's uniforms: the struct and `params` after `storageCount` bindings. */
export function declareUniforms(layout: UniformLayout, storageCount: number): string {
  return `${layout.struct}
@group(0) @binding(${storageCount}) var<uniform> params: ${layout.name};`;
}

/** A binding as a kernel declares it: the WGSL variable and its type beside what the runtime checks. */
export interface BindingDeclaration extends Binding {
  readonly variable: string;
  /** `array<f32>` or `array<vec4<f32>>`. */
  readonly type: string;
}

/** The WGSL declarations of a program's bindings, `@group(0) @binding(i)` in order. */
export function declareBindings(bindings: readonly BindingDeclaration[]): string {
  return bindings
    .map((b, i) => `@group(0) @binding(${i}) var<storage, ${b.access}> ${b.variable}: ${b.type};`)
    .join('\n');
}

/** What the runtime keeps of a declaration. */
export function bindingsOf(bindings: readonly BindingDeclaration[]): Binding[] {
  return bindings.map(({ name, access, bytes }) => ({ name, access, bytes }));
}

/** WGSL literals: sizes are baked into the code as constants, so the compiler folds them. */
export const u32 = (n: number): string => `${n}u`;
export const i32 = (n: number): string => `${n}i`;

/** An f32 literal that round-trips (the shortest decimal of the float32 value). */
export function f32(x: number): string {
  const v = Math.fround(x);
  const s = String(v);
  return /[.eE]/.test(s) ? `${s}f` : `${s}.0f`;
}

/** The largest grid dimension WebGPU guarantees (maxComputeWorkgroupsPerDimension). */
export const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/**
 * Splits `count` workgroups into an [x, y] grid within the per-dimension limit; the kernel
 * recovers the linear index as `wid.x + wid.y * x` and skips indices ≥ count.
 */
export function linearGrid(count: number): [number, number] {
  if (count <= MAX_WORKGROUPS_PER_DIMENSION) return [count, 1];
  const y = Math.ceil(count / MAX_WORKGROUPS_PER_DIMENSION);
  return [Math.ceil(count / y), y];
}
