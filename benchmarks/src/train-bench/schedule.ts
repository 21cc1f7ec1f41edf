/**
 * The order of the steps: round-robin over the rows, warm-ups first, then the timed steps, one
 * per row per round, so load changes and drift hit every row alike. A row with fewer steps
 * (tfjs-cpu) takes its rounds spread evenly across the run rather than all at the start.
 */
export interface Turn {
  /** Index of the row. */
  row: number;
  timed: boolean;
}

export function schedule(rows: readonly { warmup: number; steps: number }[]): Turn[] {
  const turns: Turn[] = [];
  const warmups = Math.max(0, ...rows.map((r) => r.warmup));
  for (let round = 0; round < warmups; round++) {
    for (const [row, r] of rows.entries()) if (round < r.warmup) turns.push({ row, timed: false });
  }
  const rounds = Math.max(0, ...rows.map((r) => r.steps));
  for (let round = 0; round < rounds; round++) {
    // A row with s of R steps runs where ⌊(round + 1)·s/R⌋ steps past ⌊round·s/R⌋.
    for (const [row, r] of rows.entries()) {
      if (Math.floor(((round + 1) * r.steps) / rounds) > Math.floor((round * r.steps) / rounds)) turns.push({ row, timed: true });
    }
  }
  return turns;
}
