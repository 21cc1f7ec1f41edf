/**
 * Terminal progress for one epoch: a bar redrawn in place with `\r` on a TTY, and a plain line
 * at the end of the epoch otherwise (logs and CI keep one line an epoch, not a thousand).
 */

export interface ProgressSink {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export interface EpochProgress {
  /** After batch `done` of the epoch (1-based), with the running mean loss. */
  update(done: number, loss: number): void;
  /** The epoch is over: the final line stays. */
  finish(loss: number): void;
}

/** A progress bar for an epoch of `batches` batches, named `label` (run and epoch). */
export function epochProgress(label: string, batches: number, sink: ProgressSink = process.stdout): EpochProgress {
  const start = performance.now();
  const line = (done: number, loss: number) => {
    const elapsed = (performance.now() - start) / 1000;
    const eta = done > 0 ? (elapsed / done) * (batches - done) : Number.NaN;
    const width = 24;
    const filled = Math.round((width * done) / batches);
    const bar = `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
    return `${label} ${bar} ${done}/${batches} loss ${loss.toFixed(4)} ${duration(elapsed)} elapsed, ETA ${duration(eta)}`;
  };
  return {
    update(done, loss) {
      if (sink.isTTY) sink.write(`\r${fit(line(done, loss), sink.columns)}\x1b[K`);
    },
    finish(loss) {
      sink.write(`${sink.isTTY ? '\r' : ''}${line(batches, loss)}${sink.isTTY ? '\x1b[K' : ''}\n`);
    },
  };
}

/** 75 s → "1:15", 4000 s → "1:06:40"; "–" when not known yet. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

// A redrawn line must not wrap, or \r returns to its last row only.
function fit(text: string, columns?: number): string {
  return columns && text.length >= columns ? text.slice(0, columns - 1) : text;
}
