/** Number formats shared by the progress lines, the terminal table, the Markdown, the charts and the pages. */

export function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3);
}

export function formatRatio(ratio: number | null): string {
  return ratio === null ? '–' : `×${ratio.toFixed(2)}`;
}

export function formatError(error: number | null): string {
  return error === null ? '–' : error === 0 ? '0' : error.toExponential(1);
}

export function formatGflops(gflops: number | null): string {
  return gflops === null ? '–' : gflops >= 10 ? gflops.toFixed(0) : gflops.toFixed(1);
}

export function formatFlop(flop: number): string {
  return flop >= 1e9 ? `${(flop / 1e9).toFixed(2)} GFLOP` : `${(flop / 1e6).toFixed(1)} MFLOP`;
}
