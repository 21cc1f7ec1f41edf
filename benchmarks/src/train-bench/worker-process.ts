/**
 * The parent's handle on one worker process: start it, wait for `ready`, ask for one step at a
 * time. Requests are strictly one at a time across all workers (the caller awaits each), so a
 * timed step never shares the cores with another worker's step.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { decode, type Message, type ModelName, type ReadyMessage, type Request, type StepProfile, type VariantName } from './protocol.js';

export type Started = ReadyMessage | { type: 'absent'; reason: string };

export class WorkerProcess {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly messages: Message[] = [];
  private waiting: ((m: Message) => void) | undefined;
  private stderr = '';
  private ended: Promise<number | null>;
  private failure: string | undefined;

  /** `label` names the worker in errors; `noise` gets its stdout lines that are not messages. */
  constructor(
    readonly label: string,
    command: string,
    args: readonly string[],
    noise: (line: string) => void = () => {},
  ) {
    this.child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout }).on('line', (line) => {
      const message = decode(line);
      if (message) this.deliver(message);
      else noise(line);
    });
    // Writing to a worker that died fails with EPIPE; its exit reports why.
    this.child.stdin.on('error', () => {});
    this.child.stderr.on('data', (chunk: Buffer) => {
      // The tail is enough to say why a worker died.
      this.stderr = (this.stderr + chunk.toString()).slice(-4000);
    });
    this.ended = new Promise((resolve) => {
      this.child.on('error', (e) => {
        this.failure = `cannot run ${command}: ${e.message}`;
        resolve(null);
      });
      this.child.on('close', (code) => resolve(code));
    });
    // A worker that dies wakes whoever waits for its next message.
    this.ended.then((code) => {
      this.failure ??= `exited with code ${code}${this.stderr ? `: ${this.stderr.trim()}` : ''}`;
      this.waiting?.({ type: 'error', message: this.failure });
    });
  }

  /** Its `ready`, or `absent` when the runtime is missing (the command cannot run, or the worker says so). */
  async started(): Promise<Started> {
    const message = await this.next();
    if (message.type === 'ready' || message.type === 'absent') return message;
    if (this.failure?.startsWith('cannot run')) return { type: 'absent', reason: this.failure };
    throw new Error(`${this.label}: ${message.type === 'error' ? message.message : `expected ready, got ${message.type}`}`);
  }

  async step(model: ModelName, variant: VariantName): Promise<{ ms: number; loss: number }> {
    this.send({ op: 'step', model, variant });
    const message = await this.next();
    if (message.type === 'step' && message.model === model && message.variant === variant) return message;
    throw new Error(`${this.label} ${model}/${variant}: ${message.type === 'error' ? message.message : `expected its step, got ${JSON.stringify(message)}`}`);
  }

  /** tf.profile of one more step (tfjs workers). */
  async profile(model: ModelName, variant: VariantName): Promise<StepProfile> {
    this.send({ op: 'profile', model, variant });
    const message = await this.next();
    if (message.type === 'profile' && message.model === model && message.variant === variant) return message;
    throw new Error(`${this.label} ${model}/${variant}: ${message.type === 'error' ? message.message : `expected its profile, got ${JSON.stringify(message)}`}`);
  }

  /** Asks it to exit and waits until it has; kills it if it does not within `graceMs`. */
  async close(graceMs = 10_000): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null && this.child.stdin.writable) this.send({ op: 'exit' });
    const timer = setTimeout(() => this.child.kill(), graceMs);
    await this.ended;
    clearTimeout(timer);
  }

  private send(request: Request): void {
    this.child.stdin.write(`${JSON.stringify(request)}\n`);
  }

  private next(): Promise<Message> {
    const queued = this.messages.shift();
    if (queued) return Promise.resolve(queued);
    if (this.failure) return Promise.resolve({ type: 'error', message: this.failure });
    return new Promise((resolve) => {
      this.waiting = (m) => {
        this.waiting = undefined;
        resolve(m);
      };
    });
  }

  private deliver(message: Message): void {
    if (this.waiting) this.waiting(message);
    else this.messages.push(message);
  }
}
