/// <reference lib="dom" preserve="true" />
// The reference above stays in index.d.ts, so GPUDevice, GPUBuffer, … resolve for every user,
// with or without skipLibCheck. Exports are listed by name: nothing test-only ships.
export { activationGradProgram } from './activation-grad.js';
export { type BufferTracker, trackBuffers } from './buffer-tracker.js';
export { BufferUsage, createStorageBuffer, download, STORAGE_USAGE, upload, write } from './buffers.js';
export { composeSteps, type WeightBuffers } from './compose.js';
export { type CompositionGradBuffers, composeBackwardSteps } from './compose-backward.js';
export { type ConvGradBuffers, conv2dBackwardSteps, conv2dStep } from './conv2d.js';
export { convFilterGradProgram } from './conv-filter-grad.js';
export { type Activation, activationExpression, type ConvForwardOptions, convForwardProgram } from './conv-forward.js';
export { convInputGradProgram } from './conv-input-grad.js';
export { type ConvShape, convShape, convShapeKey, convSizes, hasPadding } from './conv-shape.js';
export { checkRows, correlationSteps, correlationTermsProgram, type RegularizerBuffers } from './correlation.js';
export { getGpu, type RequestDeviceOptions, requestDevice } from './device.js';
export { DeviceLostError, GpuOperationError, GpuUnavailableError, ShaderCompilationError } from './errors.js';
export {
  checkTiles,
  GEMM_UNIFORMS,
  type Gemm,
  gemmKey,
  gemmShader,
  gemmThreads,
  gemmUniformValues,
  gemmWorkgroups,
  type Tiles,
  tileBytes,
} from './gemm.js';
export { type LayerGradBuffers, LinearConvLayer, type LinearConvLayerOptions } from './layer.js';
export { type Matmul, type MatrixOperand, matmulProgram } from './matmul.js';
export { orthogonalitySteps } from './orthogonality.js';
export {
  type Binding,
  type BindingDeclaration,
  bindingsOf,
  declareBindings,
  declareUniforms,
  f32,
  i32,
  linearGrid,
  MAX_WORKGROUPS_PER_DIMENSION,
  type Program,
  u32,
} from './program.js';
export { centreRowsProgram, normaliseRowsProgram, projectRowsProgram, rowSumsProgram } from './reductions.js';
export { type Copy, type Dispatch, GpuRuntime, type RunOptions, type Step } from './runtime.js';
export { Scratch } from './scratch.js';
export { chooseTiles, SMALL_GEMM_MACS, SMALL_TILES, type TileOptions, type TileProfile, type TileTarget, tileProfile, tileTarget } from './tiles.js';
export { type UniformField, type UniformLayout, uniformLayout } from './uniforms.js';
