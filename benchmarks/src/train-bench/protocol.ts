/**
 * The JSON-lines protocol between `pnpm bench:train` and its workers (the tfjs worker here,
 * scripts/torch/train_step.py for PyTorch). The parent starts a worker with its settings as one
 * JSON argument; the worker answers `ready` (or `absent`, then exits), then one `step` per
 * request on stdin. Only stdout lines starting with PREFIX are messages: libraries print there too.
 */
export const PREFIX = 'TRAIN-BENCH ';

export type ModelName = 'base' | 'vgg11';
export type VariantName = 'conv' | 'linearconv';

/** The worker's single argument. */
export interface WorkerSettings {
  /** tfjs workers only. */
  backend?: 'wasm' | 'cpu';
  threads: number;
  models: readonly ModelName[];
  variants: readonly VariantName[];
  batch: number;
  seed: number;
}

export type Request = { op: 'step' | 'profile'; model: ModelName; variant: VariantName } | { op: 'exit' };

/** One kernel's share of a profiled step (tf.profile), summed over its calls. */
export interface KernelTime {
  name: string;
  ms: number;
  calls: number;
}

/** tf.profile of one training step: its kernels, slowest first. */
export interface StepProfile {
  /** Sum of the kernels' times (no wrapper counted twice); the step's wall time is more. */
  kernelMs: number;
  kernels: KernelTime[];
}

export interface ReadyMessage {
  type: 'ready';
  /** Threads in effect, as the runtime reports them. */
  threads: number;
  versions: Record<string, string>;
  /** Trainable parameters of each model the worker built. */
  cases: { model: ModelName; variant: VariantName; params: number }[];
}

export type Message =
  | ReadyMessage
  | { type: 'absent'; reason: string }
  | { type: 'step'; model: ModelName; variant: VariantName; ms: number; loss: number }
  | ({ type: 'profile'; model: ModelName; variant: VariantName } & StepProfile)
  | { type: 'error'; message: string };

export function encode(message: Message): string {
  return `${PREFIX}${JSON.stringify(message)}\n`;
}

/** The message on one stdout line, or undefined for a line that is not one. */
export function decode(line: string): Message | undefined {
  return line.startsWith(PREFIX) ? (JSON.parse(line.slice(PREFIX.length)) as Message) : undefined;
}
