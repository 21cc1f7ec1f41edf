import { LinearConvError } from '@linearconv/core';
import type { BackendFactory } from './backend.js';

/** Backends by name, resolved on demand; an unknown name is an error that lists the known ones. */
export class BackendRegistry {
  readonly #factories = new Map<string, BackendFactory>();

  constructor(factories: Iterable<BackendFactory> = []) {
    for (const factory of factories) this.register(factory);
  }

  register(factory: BackendFactory): this {
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
    const factory = this.#factories.get(name);
    if (!factory) {
      throw new LinearConvError('backend', `unknown backend "${name}"; known backends: ${this.names.join(', ')}`);
    }
    return factory;
  }
}
