import { cpus, platform } from 'node:os';
import { describe, expect, it } from 'vitest';
import { describeDevice } from './bench/device.js';
import { nodeDevice } from './node.js';

describe('nodeDevice', () => {
  it("describes this process's machine from node:os, in the harness's DeviceInfo", () => {
    const device = nodeDevice();
    expect(device.runtime).toBe(`node ${process.versions.node}`);
    expect(device.cpus).toBe(cpus().length);
    expect(device.platform?.startsWith(platform())).toBe(true);
    expect(device.loadAverage).toHaveLength(3);
    expect(describeDevice(device)).toContain(`${cpus().length} cores, node ${process.versions.node}`);
    expect(describeDevice({ runtime: 'Mozilla/5.0', gpu: { vendor: 'google', architecture: 'swiftshader' }, webgl: { vendor: 'Google Inc.', renderer: 'ANGLE' } })).toBe(
      'Mozilla/5.0; GPU: google swiftshader; WebGL: ANGLE',
    );
  });
});
