/** A uniform struct of 32-bit scalars. */
export type UniformField = readonly [name: string, type: 'u32' | 'i32' | 'f32'];

/**
 * A uniform struct's layout, derived from its field list: the WGSL declaration, the byte size
 * and the packing agree by construction (every field is a 4-byte scalar at 4·index).
 */
export interface UniformLayout {
  readonly name: string;
  readonly fields: readonly UniformField[];
  /** `struct Name { … }` */
  readonly struct: string;
  /** Bytes to allocate: the struct rounded up to 16. */
  readonly bytes: number;
  /** The values in field order; every field must be given. */
  pack(values: Readonly<Record<string, number>>): ArrayBuffer;
}

export function uniformLayout(name: string, fields: readonly UniformField[]): UniformLayout {
  const struct = `struct ${name} {\n${fields.map(([field, type]) => `  ${field}: ${type},`).join('\n')}\n}`;
  return {
    name,
    fields,
    struct,
    bytes: Math.max(16, Math.ceil((fields.length * 4) / 16) * 16),
    pack(values) {
      const buffer = new ArrayBuffer(this.bytes);
      const view = new DataView(buffer);
      fields.forEach(([field, type], i) => {
        const value = values[field];
        if (value === undefined) throw new Error(`uniform ${name}.${field} has no value`);
        if (type === 'f32') view.setFloat32(i * 4, value, true);
        else if (type === 'i32') view.setInt32(i * 4, value, true);
        else view.setUint32(i * 4, value, true);
      });
      return buffer;
    },
  };
}
