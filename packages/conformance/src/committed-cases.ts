import committed from '../cases/index.js';
import { type ConformanceCase, parseCase } from './case.js';

/**
 * The cases committed with this package, parsed. They come in through JSON imports (the
 * generated `cases/index.js`), so this works in Node, in bundlers and in a browser; each call
 * parses afresh, so a caller cannot change another's cases.
 */
export function committedCases(): ConformanceCase[] {
  return Object.entries(committed).map(([file, doc]) => parseCase(`cases/${file}`, doc));
}
