/**
 * Errors of the GPU itself. Bad input (shapes, weights, sizes over a device limit) throws core's
 * `LinearConvError` instead, naming the parameter and the rule.
 */

/** No WebGPU, or no adapter: says why and what to install. */
export class GpuUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

/** The device was lost (destroyed, driver reset, out of memory): every later call fails with it. */
export class DeviceLostError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(`the GPU device was lost (${reason})${message ? `: ${message}` : ''}`);
    this.name = 'DeviceLostError';
    this.reason = reason;
  }
}

/** A kernel whose WGSL did not compile, or whose pipeline the device refused; names the shader key. */
export class ShaderCompilationError extends Error {
  readonly shaderKey: string;
  /** The compiler's messages, `line:column message`. */
  readonly messages: readonly string[];

  constructor(shaderKey: string, messages: readonly string[]) {
    super(`shader ${shaderKey} failed to compile:\n${messages.join('\n')}`);
    this.name = 'ShaderCompilationError';
    this.shaderKey = shaderKey;
    this.messages = messages;
  }
}

/** A validation or out-of-memory error the device reported for work this package submitted. */
export class GpuOperationError extends Error {
  readonly operation: string;

  constructor(operation: string, message: string) {
    super(`${operation}: ${message}`);
    this.name = 'GpuOperationError';
    this.operation = operation;
  }
}
