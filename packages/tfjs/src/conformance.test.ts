import { describeConformance } from '@linearconv/conformance/vitest';
import '@tensorflow/tfjs-backend-wasm';
import { tfjsConformanceBackend } from './conformance-backend.js';
import { enableWasmTraining } from './wasm-training.js';

// Every capability is supported on both backends: no exclusions.
describeConformance(tfjsConformanceBackend('cpu', () => import('@tensorflow/tfjs-backend-cpu')));
describeConformance(tfjsConformanceBackend('wasm', async () => enableWasmTraining()));
