import { describeConformance } from '@linearconv/conformance/vitest';
import { tfjsBackends } from './conformance-backend.js';

// tfjs-cpu, tfjs-wasm and tfjs-webgpu (Dawn on the machine's Vulkan driver). Every capability is
// supported on each: no exclusions. A backend that cannot start fails its suite, loudly.
for (const backend of tfjsBackends) describeConformance(backend);
