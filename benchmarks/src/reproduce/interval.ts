/**
 * Confidence intervals for a mean over seeds: Student's t with n − 1 degrees of freedom, from
 * jstat's t quantile. With one value there is no interval, and none is made up.
 */
import jStat from 'jstat';

/** The p-quantile of Student's t with `dof` degrees of freedom (e.g. tQuantile(0.975, 2) ≈ 4.303). */
export function tQuantile(p: number, dof: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile: p must be in (0, 1), got ${p}`);
  if (!(Number.isInteger(dof) && dof >= 1)) throw new RangeError(`tQuantile: dof must be an integer ≥ 1, got ${dof}`);
  return jStat.studentt.inv(p, dof);
}

/** A two-sided interval: [low, high]. */
export interface Interval {
  low: number;
  high: number;
}

/**
 * The two-sided `level` confidence interval of the mean of `n` values with sample standard
 * deviation `sd`: mean ± t(1 − (1 − level)/2, n − 1) · sd / √n; null when n < 2 (no sd).
 */
export function meanInterval(mean: number, sd: number | null, n: number, level = 0.95): Interval | null {
  if (sd === null || n < 2) return null;
  const half = (tQuantile(1 - (1 - level) / 2, n - 1) * sd) / Math.sqrt(n);
  return { low: mean - half, high: mean + half };
}
