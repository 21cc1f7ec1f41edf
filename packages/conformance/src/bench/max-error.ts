/** Largest |actual − reference| over the reference's length (the batch's first image). NaN counts as infinitely wrong. */
export function maxAbsError(actual: ArrayLike<number>, reference: ArrayLike<number>): number {
  let max = 0;
  for (let i = 0; i < reference.length; i++) {
    const e = Math.abs(actual[i] - reference[i]);
    if (!(e <= max)) max = Number.isNaN(e) ? Number.POSITIVE_INFINITY : e;
  }
  return max;
}
