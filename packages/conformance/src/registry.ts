import { describe, LinearConvError } from '@linearconv/core';
import type { BackendFactory } from './backend.js';
import { requireFactory } from './validate.js';

/** Backends by name, resolved on demand; an unknown name is an error that lists the known ones. */
export class BackendRegistry {
  readonly #factories = new Map<string, BackendFactory>();

  constructor(factories: Iterable<BackendFactory> = []) {
    if (typeof (factories as Partial<Iterable<BackendFactory>> | null)?.[Symbol.iterator] !== 'function') {
      throw new LinearConvError('factories', `must be an iterable of backend factories, got ${describe(factories)}`);
    }
    for (const factory of factories) this.register(factory);
  }

  register(factory: BackendFactory): this {
    requireFactory(factory);
    if (this.#factories.has(factory.name)) {
      throw new LinearConvError('backend', `"${factory.name}" is registered twice`);
    }
    this.#factories.set(factory.name, factory);
    return this;
  }

  get names(): string[] {
    return [...this.#factories.keys()];
  }

  get(name: string): BackendFactory {
    if (typeof name !== 'string') throw new LinearConvError('backend', `must be a backend name, got ${describe(name)}`);
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new LinearConvError('backend', `unknown backend "${name}"; known backends: ${this.names.join(', ')}`);
    }
    return factory;
  }
}
