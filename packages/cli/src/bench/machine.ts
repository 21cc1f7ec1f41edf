import { cpus, loadavg, platform, release } from 'node:os';
import type { Machine } from '@linearconv/conformance/bench';

/** This machine now, with the 1-minute load average taken at the start of the run (it may be shared). */
export function machine(loadAtStart: number): Machine {
  return {
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    cores: cpus().length,
    node: process.version,
    platform: `${platform()} ${release()}`,
    loadAverage: [loadAtStart, loadavg()[0]],
  };
}

export function describeMachine(m: Machine): string {
  return `${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}; load average ${m.loadAverage[0].toFixed(1)} at the start, ${m.loadAverage[1].toFixed(1)} at the end`;
}
