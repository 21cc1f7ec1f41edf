import { describeConformance } from '@linearconv/conformance/vitest';
import { webgpuBackends } from './conformance-backend.js';

// The webgpu kernels on Dawn over the machine's Vulkan driver (lavapipe without a GPU). Every
// capability is supported: no exclusions. A backend that cannot start fails its suite, loudly.
for (const backend of webgpuBackends) describeConformance(backend);
