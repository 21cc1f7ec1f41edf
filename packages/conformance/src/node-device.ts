import { cpus, loadavg, platform, release } from 'node:os';
import type { DeviceInfo } from './bench/device.js';

/** This Node process's machine, for runBench's `device` (node:os: the browser builds its own). */
export function nodeDevice(): DeviceInfo {
  const cores = cpus();
  return {
    runtime: `node ${process.versions.node}`,
    platform: `${platform()} ${release()}`,
    cpus: cores.length,
    cpuModel: cores[0]?.model.trim() ?? 'unknown',
    loadAverage: loadavg(),
  };
}
