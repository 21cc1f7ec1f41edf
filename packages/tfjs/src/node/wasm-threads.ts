import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, LinearConvError, MissingDependencyError } from '@linearconv/core';
import * as tf from '@tensorflow/tfjs-core';

const PACKAGE = '@tensorflow/tfjs-backend-wasm';
/** Workers the threaded binary starts up front (emscripten's pthread pool); more would have to start while the main thread waits. */
const MAX_THREADS = 8;
/** tfjs-backend-wasm's own priority for 'wasm'. */
const WASM_PRIORITY = 2;

interface WasmPackage {
  BackendWasm: new (module: unknown) => tf.KernelBackend;
  setThreadsCount(count: number): void;
}

interface EmscriptenModule {
  cwrap(name: string, returns: string | null, args: string[]): (...args: unknown[]) => unknown;
  tfjs?: unknown;
}

type Factory = (config: Record<string, unknown>) => Promise<EmscriptenModule>;

let registered: { threads: number } | undefined;

/**
 * Runs the wasm backend multithreaded in Node. tfjs-backend-wasm turns threads off in Node
 * (its WASM_HAS_MULTITHREAD_SUPPORT flag is false there), so `setThreadsCount` has no effect;
 * this re-registers 'wasm' from the threaded SIMD binary the package ships, with its pthread
 * worker written to a file (Node's workers cannot start from the blob URL tfjs uses in browsers).
 * XNNPACK's kernels (convolutions, matmuls, pooling) then split their work across `count`
 * threads; results do not depend on the count. Call it before `tf.setBackend('wasm')`.
 *
 * @param count threads, 1 to 8; default min(available cores, 4).
 * @returns the thread count the backend starts with (`getThreadsCount()` from tfjs-backend-wasm
 *   reports the same once it has).
 */
export async function useWasmThreads(count?: number): Promise<number> {
  const threads = count === undefined ? Math.min(availableParallelism(), 4) : count;
  if (!Number.isInteger(threads) || threads < 1 || threads > MAX_THREADS) {
    throw new LinearConvError('count', `must be an integer from 1 to ${MAX_THREADS} (or omitted), got ${describe(count)}`);
  }
  const engine = tf.engine() as unknown as { registry: Record<string, unknown>; registryFactory: Record<string, unknown> };
  if (engine.registry.wasm != null) {
    if (registered?.threads === threads) return threads;
    throw new LinearConvError(
      'useWasmThreads',
      `must be called before the wasm backend starts (before tf.setBackend('wasm'))${registered ? `; it already runs ${registered.threads} thread(s)` : ''}`,
    );
  }
  const require = createRequire(import.meta.url);
  let wasm: WasmPackage;
  let factoryPath: string;
  try {
    wasm = (await import(PACKAGE)) as unknown as WasmPackage;
    factoryPath = require.resolve(`${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.js`);
  } catch (e) {
    throw new MissingDependencyError('useWasmThreads', PACKAGE, e);
  }
  const factory = loadFactory(factoryPath, threads, require);
  // The script ships as a template literal, whose escapes (\\n inside its strings) came out as
  // real newlines; tfjs re-escapes them the same way before making its blob.
  const script = require(`${PACKAGE}/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js`).wasmWorkerContents as string;
  const worker = workerFile(script.replace(/\n/g, '\\n'));
  wasm.setThreadsCount(threads);
  // tfjs-backend-wasm's own registration (not started yet) gives way to this one.
  if (engine.registryFactory.wasm != null) tf.removeBackend('wasm');
  tf.registerBackend(
    'wasm',
    async () => {
      const module = await factory({
        // The .wasm next to the factory; the worker from our file. The worker loads the factory
        // itself from its path (emscripten's default main script).
        locateFile: (path: string, prefix: string) => (path.endsWith('.worker.js') ? worker : prefix + path),
      });
      // What tfjs-backend-wasm's own init adds before constructing the backend.
      module.tfjs = {
        init: module.cwrap('init', null, []),
        initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
        getThreadsCount: module.cwrap('get_threads_count', 'number', []),
        registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
        disposeData: module.cwrap('dispose_data', null, ['number']),
        dispose: module.cwrap('dispose', null, []),
      };
      const backend = new wasm.BackendWasm(module);
      // The pool's threads now wait for work forever; like the idle ones, they must not keep
      // Node from exiting (the main thread never waits for them on the event loop).
      const pthreads = (module as { PThread?: { runningWorkers: { unref(): void }[]; unusedWorkers: { unref(): void }[] } }).PThread;
      for (const worker of [...(pthreads?.runningWorkers ?? []), ...(pthreads?.unusedWorkers ?? [])]) worker.unref();
      return backend;
    },
    WASM_PRIORITY,
  );
  registered = { threads };
  return threads;
}

/**
 * The emscripten factory, evaluated as Node would load it but with its own view of `os`: the
 * C++ side caps the pool at half the logical cores it sees (assuming two hyper-threads per
 * core), so on a 2-core machine it would never run more than one thread. It sees 2·threads.
 */
function loadFactory(path: string, threads: number, require: NodeJS.Require): Factory {
  const real = require('node:os') as typeof import('node:os');
  const cpus = real.cpus();
  const os = Object.create(real, { cpus: { value: () => Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]) } });
  const module = { exports: {} as unknown };
  const local = (id: string) => (id === 'os' || id === 'node:os' ? os : require(id));
  new Function('require', 'module', 'exports', '__filename', '__dirname', readFileSync(path, 'utf8'))(local, module, module.exports, path, dirname(path));
  return module.exports as Factory;
}

/** The pthread worker script as a file, named by its content so processes share it safely. */
function workerFile(contents: string): string {
  const hash = createHash('sha256').update(contents).digest('hex').slice(0, 16);
  // .cjs: the worker uses require(), whatever package.json governs the temp directory.
  const path = join(tmpdir(), `linearconv-tfjs-wasm-${hash}.worker.cjs`);
  if (!existsSync(path) || readFileSync(path, 'utf8') !== contents) {
    const partial = `${path}.${process.pid}.tmp`;
    writeFileSync(partial, contents);
    renameSync(partial, path);
  }
  return path;
}
