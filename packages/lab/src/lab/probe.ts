import type { BackendFactory } from '@linearconv/conformance';
import type { LabBackend } from './result.js';

/**
 * Starts each backend once to see whether this browser offers it and what it runs on, then
 * releases it: one that cannot start is listed with its factory's error as the reason.
 */
export async function probeBackends(factories: readonly BackendFactory[], onProbe?: (done: number, total: number, name: string, found: readonly LabBackend[]) => void): Promise<LabBackend[]> {
  const found: LabBackend[] = [];
  for (const [i, factory] of factories.entries()) {
    onProbe?.(i, factories.length, factory.name, found);
    try {
      const backend = await factory.create();
      found.push({ name: factory.name, available: true, ...(backend.adapter && { adapter: backend.adapter }) });
      await backend.dispose();
    } catch (e) {
      found.push({ name: factory.name, available: false, reason: (e as Error)?.message ?? String(e) });
    }
  }
  return found;
}
