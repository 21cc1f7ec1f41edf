/**
 * `linearconv bench`'s progress. On a terminal: the finished cases' lines scroll above one bar,
 * redrawn in place, that names the case now running and estimates the time left. Anywhere else
 * (a pipe, a log, CI): the same lines, one per case, and no bar.
 *
 * Hand-written rather than a progress-bar library: those redraw on a timer, which would fire in
 * the middle of the measurements; this one draws only between cases, when nothing is timed.
 */

/** A terminal stream, as process.stderr is one. */
export interface TerminalSink {
  write(text: string): unknown;
  readonly columns?: number;
}

export interface BenchProgress {
  /** A case starts: `done` of `total` are finished. */
  start(done: number, total: number, what: string): void;
  /** A finished case (or an unavailable backend), as one line. */
  line(text: string): void;
  /** Clears the bar; the lines stay. */
  stop(): void;
}

/** Lines through `line`; with a `terminal`, also the bar, drawn there (the lines then go there too, above it). */
export function benchProgress(line: (text: string) => void, terminal?: TerminalSink, now: () => number = () => performance.now()): BenchProgress {
  if (!terminal) return { start() {}, line, stop() {} };
  const began = now();
  let bar = '';
  const clear = '\r\x1b[K';
  return {
    start(done, total, what) {
      bar = fit(barLine(done, total, what, (now() - began) / 1000), terminal.columns);
      terminal.write(`${clear}${bar}`);
    },
    line(text) {
      terminal.write(`${clear}${text}\n${bar}`);
    },
    stop() {
      if (bar) terminal.write(clear);
      bar = '';
    },
  };
}

/** `[########................]  12/36  33 % 0:42 elapsed, ETA 1:24  onnx-wasm-folded resnet18/conv1 batch 1`. */
export function barLine(done: number, total: number, what: string, elapsedSeconds: number): string {
  const width = 24;
  const filled = total > 0 ? Math.round((width * done) / total) : width;
  const percent = total > 0 ? Math.floor((100 * done) / total) : 100;
  const eta = done > 0 ? (elapsedSeconds / done) * (total - done) : Number.NaN;
  const count = `${String(done).padStart(String(total).length)}/${total}`;
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${count} ${String(percent).padStart(3)} % ${clock(elapsedSeconds)} elapsed, ETA ${clock(eta)}  ${what}`;
}

/** 75 → "1:15", 4000 → "1:06:40"; "–" when not known yet. */
export function clock(seconds: number): string {
  if (!Number.isFinite(seconds)) return '–';
  const s = Math.round(seconds);
  const [h, m, r] = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(r)}` : `${m}:${two(r)}`;
}

// A bar that wraps cannot be redrawn with \r: it returns to the bar's last row only.
function fit(text: string, columns?: number): string {
  return columns && text.length >= columns ? text.slice(0, columns - 1) : text;
}
