import { createRandom, initialWeights, LinearConvError, layerSpec, linearConvForward, uniformArray } from '@linearconv/core';
import { rejectionOf } from '@linearconv/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BufferTracker, trackBuffers } from './buffer-tracker.js';
import { BufferUsage, createStorageBuffer, download, upload, write } from './buffers.js';
import { requestDevice } from './device.js';
import { GpuOperationError } from './errors.js';
import { LinearConvLayer } from './layer.js';
import type { Program } from './program.js';
import { GpuRuntime } from './runtime.js';
import { uniformLayout } from './uniforms.js';

// Every public entry point given null, undefined, a wrong type or a wrong size: a LinearConvError
// naming the parameter, refused before any work is encoded, with nothing leaked (buffers, error
// scopes) and nothing the caller gave changed (JS values and buffer contents).

const spec = layerSpec({ inChannels: 4, outChannels: 6, kernelSize: 3, padding: 'same' });
const shape = [2, 4, 5, 5];
const weights = initialWeights(spec, createRandom(1));
const x = uniformArray(createRandom(2), 200, -1, 1);
const dyData = uniformArray(createRandom(3), 300, -1, 1);

interface Fixture {
  device: GPUDevice;
  layer: LinearConvLayer;
  /** The input, the output gradient and an output buffer: storage buffers holding known values. */
  input: GPUBuffer;
  dy: GPUBuffer;
  out: GPUBuffer;
  /** 16 bytes. */
  small: GPUBuffer;
  /** MAP_READ | COPY_DST: not bindable, not copyable from. */
  mappable: GPUBuffer;
}

let f: Fixture;
let tracker: BufferTracker;
beforeAll(async () => {
  const device = await requestDevice();
  const layer = new LinearConvLayer(device, spec, weights);
  f = {
    device,
    layer,
    input: upload(device, x),
    dy: upload(device, dyData),
    out: upload(device, new Float32Array(300).fill(7)),
    small: upload(device, new Float32Array([1, 2, 3, 4])),
    mappable: device.createBuffer({ size: 16, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST }),
  };
  // Compiled once here, so that a row can only fail for its own argument.
  f.out = await layer.forward(f.input, shape, f.out);
  tracker = trackBuffers(device);
});
afterAll(() => {
  tracker?.stop();
  f?.device.destroy();
});

/** What each fixture buffer holds, read back (the mappable one cannot be copied from). */
async function contents(): Promise<Float32Array[]> {
  const buffers = [f.input, f.dy, f.out, f.small, ...Object.values(f.layer.weights)].filter((b) => b !== undefined);
  return Promise.all(buffers.map((b) => download(f.device, b)));
}

/** Plain copies of the JS values a row passes, to compare after the call. */
function fingerprint(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return [value.constructor.name, Array.from(value as Float32Array)];
  if (Array.isArray(value)) return value.map(fingerprint);
  if (value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fingerprint(v)]));
  }
  return value;
}

interface Row {
  readonly title: string;
  /** The JS values the call is given (fixture buffers are checked by their contents). */
  readonly args: () => unknown[];
  readonly call: (...args: never[]) => unknown;
  readonly field: string;
}

const layer = () => f.layer;
const forward = (...a: unknown[]) => (layer().forward as (...b: unknown[]) => unknown)(...a);
const backward = (...a: unknown[]) => (layer().backward as (...b: unknown[]) => unknown)(...a);
const setWeights = (...a: unknown[]) => (layer().setWeights as (...b: unknown[]) => unknown)(...a);
const outputShape = (...a: unknown[]) => (layer().outputShape as (...b: unknown[]) => unknown)(...a);
const construct = (...a: unknown[]) => new (LinearConvLayer as unknown as new (...b: unknown[]) => LinearConvLayer)(...a);
const notABuffer = { size: 4096, usage: BufferUsage.STORAGE, label: 'fake' };

const rows: Row[] = [
  // new LinearConvLayer(device, spec, weights, options)
  { title: 'new LinearConvLayer(null, …)', args: () => [null, spec, weights], call: construct, field: 'device' },
  { title: 'new LinearConvLayer(undefined, …)', args: () => [undefined, spec, weights], call: construct, field: 'device' },
  { title: 'new LinearConvLayer({}, …)', args: () => [{}, spec, weights], call: construct, field: 'device' },
  { title: 'new LinearConvLayer(navigator.gpu-like, …)', args: () => [{ requestAdapter: () => null }, spec, weights], call: construct, field: 'device' },
  { title: 'new LinearConvLayer(device, null, …)', args: () => [f.device, null, weights], call: construct, field: 'spec' },
  { title: "new LinearConvLayer(device, 'conv', …)", args: () => [f.device, 'conv', weights], call: construct, field: 'spec' },
  { title: 'new LinearConvLayer: kernelSize a string', args: () => [f.device, { ...spec, kernelSize: '3' }, weights], call: construct, field: 'kernelSize' },
  { title: 'new LinearConvLayer(device, spec, null)', args: () => [f.device, spec, null], call: construct, field: 'weights' },
  { title: 'new LinearConvLayer(device, spec, undefined)', args: () => [f.device, spec, undefined], call: construct, field: 'weights' },
  { title: 'new LinearConvLayer: primaries a number[]', args: () => [f.device, spec, { ...weights, primary: Array.from(weights.primary) }], call: construct, field: 'weights.primary' },
  { title: 'new LinearConvLayer: primaries too short', args: () => [f.device, spec, { ...weights, primary: new Float32Array(3) }], call: construct, field: 'weights.primary' },
  { title: 'new LinearConvLayer(…, null)', args: () => [f.device, spec, weights, null], call: construct, field: 'options' },
  { title: "new LinearConvLayer(…, 'relu')", args: () => [f.device, spec, weights, 'relu'], call: construct, field: 'options' },
  { title: "new LinearConvLayer: activation 'gelu'", args: () => [f.device, spec, weights, { activation: 'gelu' }], call: construct, field: 'activation' },
  { title: 'new LinearConvLayer: label 5', args: () => [f.device, spec, weights, { label: 5 }], call: construct, field: 'label' },
  { title: 'new LinearConvLayer: a misspelt option', args: () => [f.device, spec, weights, { activaton: 'relu' }], call: construct, field: 'options.activaton' },
  // layer.forward(input, inputShape, output)
  { title: 'forward(null, shape)', args: () => [null, shape], call: forward, field: 'input' },
  { title: 'forward(undefined, shape)', args: () => [undefined, shape], call: forward, field: 'input' },
  { title: 'forward(an object with a size, shape)', args: () => [notABuffer, shape], call: forward, field: 'input' },
  { title: 'forward(a Float32Array, shape)', args: () => [new Float32Array(200), shape], call: forward, field: 'input' },
  { title: 'forward(a 16-byte buffer, shape)', args: () => [f.small, shape], call: forward, field: 'input' },
  { title: 'forward(a MAP_READ buffer, shape)', args: () => [f.mappable, shape], call: forward, field: 'input' },
  { title: 'forward(input, null)', args: () => [f.input, null], call: forward, field: 'inputShape' },
  { title: 'forward(input, [2, 4, 5])', args: () => [f.input, [2, 4, 5]], call: forward, field: 'inputShape' },
  { title: "forward(input, '2,4,5,5')", args: () => [f.input, '2,4,5,5'], call: forward, field: 'inputShape' },
  { title: 'forward(input, [2, 3, 5, 5]): wrong channels', args: () => [f.input, [2, 3, 5, 5]], call: forward, field: 'inputShape[1]' },
  { title: "forward(input, [2, 4, '5', 5])", args: () => [f.input, [2, 4, '5', 5]], call: forward, field: 'inputShape[2]' },
  { title: 'forward(input, [0, 4, 5, 5])', args: () => [f.input, [0, 4, 5, 5]], call: forward, field: 'inputShape[0]' },
  { title: "forward(input, shape, 'out')", args: () => [f.input, shape, 'out'], call: forward, field: 'output' },
  { title: 'forward(input, shape, null)', args: () => [f.input, shape, null], call: forward, field: 'output' },
  { title: 'forward(input, shape, a 16-byte buffer)', args: () => [f.input, shape, f.small], call: forward, field: 'output' },
  { title: 'forward(input, shape, the input itself)', args: () => [f.input, shape, f.input], call: forward, field: 'output' },
  // layer.backward(input, inputShape, outputGrad, options)
  { title: 'backward(null, …)', args: () => [null, shape, f.dy], call: backward, field: 'input' },
  { title: 'backward(input, shape, null)', args: () => [f.input, shape, null], call: backward, field: 'outputGrad' },
  { title: 'backward(input, shape, a 16-byte buffer)', args: () => [f.input, shape, f.small], call: backward, field: 'outputGrad' },
  { title: 'backward(input, shape, dy, null)', args: () => [f.input, shape, f.dy, null], call: backward, field: 'options' },
  { title: 'backward(input, shape, dy, { output: 5 })', args: () => [f.input, shape, f.dy, { output: 5 }], call: backward, field: 'output' },
  { title: 'backward: a misspelt option', args: () => [f.input, shape, f.dy, { outptu: f.out }], call: backward, field: 'options.outptu' },
  { title: 'backward(input, [2, 4], dy)', args: () => [f.input, [2, 4], f.dy], call: backward, field: 'inputShape' },
  // layer.setWeights, layer.outputShape
  { title: 'setWeights(null)', args: () => [null], call: setWeights, field: 'weights' },
  { title: "setWeights('weights')", args: () => ['weights'], call: setWeights, field: 'weights' },
  { title: 'setWeights: bias a number[]', args: () => [{ ...weights, bias: [1, 2, 3, 4, 5, 6] }], call: setWeights, field: 'weights.bias' },
  { title: 'setWeights: coefficients missing', args: () => [{ ...weights, coefficients: undefined }], call: setWeights, field: 'weights.coefficients' },
  { title: 'outputShape(null)', args: () => [null], call: outputShape, field: 'inputShape' },
  // download(device, buffer, length, offset)
  { title: 'download(null, buffer)', args: () => [null, f.out], call: download, field: 'device' },
  { title: 'download({}, buffer)', args: () => [{}, f.out], call: download, field: 'device' },
  { title: 'download(device, null)', args: () => [f.device, null], call: download, field: 'buffer' },
  { title: 'download(device, a Float32Array)', args: () => [f.device, new Float32Array(4)], call: download, field: 'buffer' },
  { title: 'download(device, a MAP_READ buffer)', args: () => [f.device, f.mappable], call: download, field: 'buffer' },
  { title: 'download(device, buffer, -1)', args: () => [f.device, f.out, -1], call: download, field: 'length' },
  { title: 'download(device, buffer, 1.5)', args: () => [f.device, f.out, 1.5], call: download, field: 'length' },
  { title: "download(device, buffer, '4')", args: () => [f.device, f.out, '4'], call: download, field: 'length' },
  { title: 'download(device, buffer, 1000): past the end', args: () => [f.device, f.out, 1000], call: download, field: 'length' },
  { title: 'download(device, buffer, 1, 2): an offset not a multiple of 4', args: () => [f.device, f.out, 1, 2], call: download, field: 'offset' },
  { title: 'download(device, buffer, 1, null)', args: () => [f.device, f.out, 1, null], call: download, field: 'offset' },
  // upload(device, data, label), write(device, buffer, data, offset), createStorageBuffer
  { title: 'upload(null, data)', args: () => [null, new Float32Array(4)], call: upload, field: 'device' },
  { title: 'upload(device, null)', args: () => [f.device, null], call: upload, field: 'data' },
  { title: 'upload(device, undefined)', args: () => [f.device, undefined], call: upload, field: 'data' },
  { title: 'upload(device, number[])', args: () => [f.device, [1, 2, 3]], call: upload, field: 'data' },
  { title: 'upload(device, a Float64Array)', args: () => [f.device, new Float64Array(3)], call: upload, field: 'data' },
  { title: 'upload(device, data, 5)', args: () => [f.device, new Float32Array(4), 5], call: upload, field: 'label' },
  { title: 'write(device, null, data)', args: () => [f.device, null, new Float32Array(4)], call: write, field: 'buffer' },
  { title: 'write(device, buffer, number[])', args: () => [f.device, f.small, [1, 2]], call: write, field: 'data' },
  { title: 'write(device, buffer, data, 2)', args: () => [f.device, f.small, new Float32Array(1), 2], call: write, field: 'offset' },
  { title: 'write(device, buffer, too much data)', args: () => [f.device, f.small, new Float32Array(5)], call: write, field: 'buffer' },
  { title: "createStorageBuffer(device, -4, 'x')", args: () => [f.device, -4, 'x'], call: createStorageBuffer, field: 'x' },
  { title: 'createStorageBuffer(device, 16, 5)', args: () => [f.device, 16, 5], call: createStorageBuffer, field: 'label' },
  // requestDevice, trackBuffers, GpuRuntime
  { title: 'requestDevice(null)', args: () => [null], call: requestDevice, field: 'options' },
  { title: 'requestDevice({ gpu: 5 })', args: () => [{ gpu: 5 }], call: requestDevice, field: 'gpu' },
  { title: "requestDevice({ powerPreference: 'fast' })", args: () => [{ powerPreference: 'fast' }], call: requestDevice, field: 'powerPreference' },
  { title: 'requestDevice: a misspelt option', args: () => [{ powerPreferense: 'low-power' }], call: requestDevice, field: 'options.powerPreferense' },
  { title: 'trackBuffers(null)', args: () => [null], call: trackBuffers, field: 'device' },
  { title: 'GpuRuntime.for(undefined)', args: () => [undefined], call: (d: GPUDevice) => GpuRuntime.for(d), field: 'device' },
  { title: "runtime.run('x', null)", args: () => ['x', null], call: (label: string, steps: never) => GpuRuntime.for(f.device).run(label, steps), field: 'steps' },
  {
    title: 'runtime.run with a non-buffer binding',
    args: () => [
      [
        {
          program: { key: 'test/bad', code: '', bindings: [{ name: 'values', access: 'read_write', bytes: 16 }], workgroups: [1, 1, 1] },
          buffers: [notABuffer],
        },
      ],
    ],
    call: (steps: never) => GpuRuntime.for(f.device).run('test', steps),
    field: 'values',
  },
];

describe('bad input: a LinearConvError naming the parameter, nothing encoded, leaked or changed', () => {
  it.each(rows.map((row) => [row.title, row] as const))('%s', async (_, row) => {
    const args = row.args();
    const before = { js: fingerprint(args), buffers: await contents() };
    const error = await rejectionOf(async () => (row.call as (...a: unknown[]) => unknown)(...args), LinearConvError);
    expect(error.field).toBe(row.field);
    expect(error.message.split('\n')).toHaveLength(1);
    expect(fingerprint(args)).toEqual(before.js);
    expect(await contents()).toEqual(before.buffers);
    expect(tracker.liveLabels).toEqual([]);
  });

  it('left no error scope pushed, and the layer still computes its output', async () => {
    await expect(f.device.popErrorScope()).rejects.toThrow();
    const y = await f.layer.forward(f.input, shape);
    const got = await download(f.device, y, 300);
    const want = linearConvForward(spec, weights, { shape, data: x }).data;
    expect(Math.max(...Array.from(got, (v, i) => Math.abs(v - want[i])))).toBeLessThan(1e-4);
    y.destroy();
  });
});

describe('a run that fails as it is encoded', () => {
  it('pops its error scopes and destroys its uniform buffers; later device errors are still reported', async () => {
    const { device } = f;
    const runtime = GpuRuntime.for(device);
    const values = createStorageBuffer(device, 16, 'values');
    const layout = uniformLayout('Params', [['n', 'u32']]);
    const program: Program = {
      key: 'test/uniform-fill',
      code: `${layout.struct}\n@group(0) @binding(0) var<storage, read_write> y: array<f32>;\n@group(0) @binding(1) var<uniform> params: Params;\n@compute @workgroup_size(1) fn main() { y[0] = f32(params.n); }`,
      bindings: [{ name: 'values', access: 'read_write', bytes: 16 }],
      workgroups: [1, 1, 1],
      uniforms: { layout, values: { n: 3 } },
    };
    await runtime.run('test', [{ program, buffers: [values] }]);
    expect((await download(device, values, 1))[0]).toBe(3);

    const live = tracker.live;
    // A uniform without its value throws while the run is encoded, after the first step made its uniform buffer.
    const broken = { ...program, uniforms: { layout, values: {} } };
    await expect(runtime.run('test', [{ program, buffers: [values] }, { program: broken, buffers: [values] }])).rejects.toThrow(/uniform Params\.n has no value/);
    expect(tracker.live).toBe(live);
    await expect(device.popErrorScope()).rejects.toThrow();

    // The device's own validation still reaches the caller: a destroyed buffer in a submission.
    const gone = createStorageBuffer(device, 16, 'gone');
    gone.destroy();
    await runtime.run('test', [{ program, buffers: [gone] }]);
    await expect(runtime.sync()).rejects.toBeInstanceOf(GpuOperationError);
    await runtime.sync();
    values.destroy();
  });
});
