/**
 * Chance, for a smoke run's accuracies: in % of `labels`, the accuracy of always answering their
 * most frequent class (a network that answers one class whatever the image scores at most this).
 */
export function chanceAccuracy(labels: ArrayLike<number>): number {
  const counts = new Map<number, number>();
  for (let i = 0; i < labels.length; i++) counts.set(labels[i], (counts.get(labels[i]) ?? 0) + 1);
  return (100 * Math.max(...counts.values())) / labels.length;
}
