/**
 * A categorical palette for backends: Observable 10, then eight more of Kenneth Kelly's colours of
 * maximum contrast, so a comparison of Node and browser results (up to 18 backends) still gives
 * every backend its own colour. Pairs differ by at least ΔE 15 (CIE76), checked by the tests.
 */
export const PALETTE: readonly string[] = [
  '#4269d0',
  '#efb118',
  '#ff725c',
  '#6cc5b0',
  '#3ca951',
  '#ff8ab7',
  '#a463f2',
  '#97bbf5',
  '#9c6b4e',
  '#9498a0',
  '#222222',
  '#be0032',
  '#008856',
  '#0067a5',
  '#604e97',
  '#dcd300',
  '#882d17',
  '#8db600',
];

/** The colour of each backend, by its place in `names`; past the palette's end, colours repeat. */
export function backendColours(names: readonly string[]): { readonly domain: string[]; readonly range: string[] } {
  return { domain: [...names], range: names.map((_, i) => PALETTE[i % PALETTE.length]) };
}
