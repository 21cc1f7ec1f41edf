// See index.d.ts: TypeScript before 6 gets WebGPU's types from @webgpu/types.
/// <reference types="@webgpu/types" />
export * from '../../dist/conformance-backend.js';
