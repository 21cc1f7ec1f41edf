import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { createRandom, initialWeights, LinearConvError, layerSpec } from '@linearconv/core';
import { describe, expect, it } from 'vitest';
import { createStorageBuffer, download, upload } from './buffers.js';
import { requestDevice } from './device.js';
import { DeviceLostError, GpuUnavailableError, ShaderCompilationError } from './errors.js';
import { LinearConvLayer } from './layer.js';
import type { Program } from './program.js';
import { GpuRuntime } from './runtime.js';

describe('device, errors and limits', () => {
  it('says why there is no adapter and what to install', async () => {
    const gpu = { requestAdapter: async () => null } as unknown as GPU;
    const error = await requestDevice({ gpu }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuUnavailableError);
    expect((error as Error).message).toMatch(/no WebGPU adapter: Dawn found no usable Vulkan driver.*`bash scripts\/setup\.sh` installs Mesa lavapipe/);
  });

  it('reports a machine without a Vulkan driver the same way (Dawn, in a child process)', async () => {
    const device = fileURLToPath(new URL('./device.ts', import.meta.url)).replace(/src\/device\.ts$/, 'dist/node.js');
    const script = `import(${JSON.stringify(device)}).then((m) => m.requestDevice()).then(() => console.log('adapter'), (e) => console.log(e.name + ': ' + e.message));`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' },
    });
    expect(stdout).toMatch(/GpuUnavailableError: no WebGPU adapter: Dawn found no usable Vulkan driver/);
  });

  it('surfaces a WGSL error with the shader key, and compiles each key once', async () => {
    const device = await requestDevice();
    const runtime = GpuRuntime.for(device);
    const buffer = createStorageBuffer(device, 16, 'b');
    const broken: Program = {
      key: 'test/broken-shader',
      code: '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = 1u; }',
      bindings: [{ name: 'y', access: 'read_write', bytes: 16 }],
      workgroups: [1, 1, 1],
    };
    const error = await runtime.run('test', [{ program: broken, buffers: [buffer] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ShaderCompilationError);
    expect((error as ShaderCompilationError).shaderKey).toBe('test/broken-shader');
    expect((error as Error).message).toMatch(/^shader test\/broken-shader failed to compile:\n2:\d+ /);
    const fine = { ...broken, key: 'test/fine', code: broken.code.replace('1u', '1.0') };
    await runtime.run('test', [{ program: fine, buffers: [buffer] }]);
    await runtime.run('test', [{ program: { ...fine }, buffers: [buffer] }]);
    expect(runtime.cachedKeys.filter((k) => k === 'test/fine')).toHaveLength(1);
    expect(await download(device, buffer, 1)).toEqual(new Float32Array([1]));
    device.destroy();
  });

  it('refuses a binding over maxStorageBufferBindingSize, and a buffer over maxBufferSize, naming the parameter', async () => {
    const device = await requestDevice();
    const runtime = GpuRuntime.for(device);
    const limit = device.limits.maxStorageBufferBindingSize;
    const buffer = createStorageBuffer(device, 16, 'b');
    const huge: Program = {
      key: 'test/huge',
      code: '@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@compute @workgroup_size(1) fn main() { y[0] = 1.0; }',
      bindings: [{ name: 'input', access: 'read_write', bytes: limit + 4 }],
      workgroups: [1, 1, 1],
    };
    const error = await runtime.run('test', [{ program: huge, buffers: [buffer] }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LinearConvError);
    expect((error as Error).message).toBe(
      `input: needs a binding of ${limit + 4} bytes, more than this device's maxStorageBufferBindingSize (${limit}); use a smaller batch or input`,
    );
    expect(() => createStorageBuffer(device, device.limits.maxBufferSize + 16, 'x', 'output')).toThrow(/^output: needs a buffer of \d+ bytes, more than this device's maxBufferSize/);
    device.destroy();
  });

  it('turns a lost device into DeviceLostError, for waits in flight and for later calls', async () => {
    const device = await requestDevice();
    const spec = layerSpec({ inChannels: 2, outChannels: 4, kernelSize: 3 });
    const layer = new LinearConvLayer(device, spec, initialWeights(spec, createRandom(1)));
    const input = upload(device, new Float32Array(2 * 2 * 6 * 6));
    const output = await layer.forward(input, [2, 2, 6, 6]);
    const pending = download(device, output);
    device.destroy();
    await expect(pending).rejects.toBeInstanceOf(DeviceLostError);
    await expect(layer.forward(input, [2, 2, 6, 6])).rejects.toThrow(/^the GPU device was lost \(destroyed\)/);
    expect(() => upload(device, new Float32Array(4))).toThrow(DeviceLostError);
  });
});
