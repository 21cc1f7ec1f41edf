import type { ZooVariant } from '@linearconv/core';
import { UsageError } from './io.js';

/** `--variant` values, as the paper names the models: Conv, -Lr (full), -LRr (low rank). */
const VARIANTS: Readonly<Record<string, ZooVariant>> = { conv: 'conv', full: 'full', lowrank: 'lowRank' };

/** The zoo variant a `--variant` value names (case-insensitive). */
export function parseVariant(text: string): ZooVariant {
  const variant = VARIANTS[text.toLowerCase()];
  if (!variant) throw new UsageError(`--variant must be one of ${Object.keys(VARIANTS).join(', ')}, got "${text}"`);
  return variant;
}

/** A positive integer option's value; undefined when the option was not given. */
export function parsePositive(flag: string, text: string): number;
export function parsePositive(flag: string, text: string | undefined): number | undefined;
export function parsePositive(flag: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`--${flag} must be a positive integer, got "${text}"`);
  return n;
}
