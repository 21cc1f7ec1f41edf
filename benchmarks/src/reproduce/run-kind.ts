/**
 * Smoke run or paper parity. A run with fewer training steps than the default budget's (2,500
 * images × 2 epochs at batch 50 = 100 steps per run) shows that every variant trains, and no
 * more: its accuracies are compared with chance, not with each other or with the paper.
 */
export type RunKind = 'smoke' | 'parity';

/** The default budget's training steps per run: the least a paper-parity run has. */
export const PARITY_MIN_STEPS = 100;

export function runKind(stepsPerRun: number): RunKind {
  return stepsPerRun >= PARITY_MIN_STEPS ? 'parity' : 'smoke';
}
