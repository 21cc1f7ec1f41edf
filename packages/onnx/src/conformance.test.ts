import { describeConformance } from '@linearconv/conformance/vitest';
import { onnxBackends } from './conformance-backend.js';

// onnx-wasm-compact and onnx-wasm-folded (onnxruntime-web), onnx-node-compact and onnx-node-folded
// (onnxruntime-node): filters and forward on every case. An exported model is inference-only, so
// backward and correlation are declared unsupported (the suite shows them as skipped, with the reason).
for (const backend of onnxBackends) describeConformance(backend);
