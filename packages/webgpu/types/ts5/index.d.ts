// TypeScript before 6 has no WebGPU in its DOM lib: @webgpu/types supplies it (package.json
// serves this file to them through the `types@<6` condition). TypeScript 6 and later get
// dist/index.d.ts, whose `/// <reference lib="dom" />` brings TypeScript's own WebGPU types.
/// <reference types="@webgpu/types" />
export * from '../../dist/index.js';
