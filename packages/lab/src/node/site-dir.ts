import { fileURLToPath } from 'node:url';

/**
 * The built lab site (index.html, report.html, train.html and their assets), absolute, ending
 * in a separator. Two levels under the package root from both src/node and dist/node.
 */
export const siteDir: string = fileURLToPath(new URL('../../dist/site/', import.meta.url));
