/** Elements built with text content only: nothing from a results file is ever parsed as HTML. */

type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attributes: Readonly<Record<string, string | undefined>> = {},
  ...children: readonly (Child | readonly Child[])[]
): HTMLElementTagNameMap[K] {
  const element = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined) element.setAttribute(name, value);
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    element.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  }
  return element;
}

/** A table in its own scrolling box: however many columns, it never widens the page. */
export function table(doc: Document, className: string, header: readonly string[], rows: readonly (readonly (Node | string)[])[]): HTMLElement {
  const numeric = (cell: Node | string) => typeof cell === 'string' && /^[\d×.,–−+ ±e-]+( %| ms)?$/.test(cell) && cell !== '–';
  return h(
    doc,
    'div',
    { class: 'lc-scroll' },
    h(
      doc,
      'table',
      { class: `lc-table ${className}` },
      h(doc, 'thead', {}, h(doc, 'tr', {}, ...header.map((c) => h(doc, 'th', {}, c)))),
      h(
        doc,
        'tbody',
        {},
        // A long text cell may be cut off with an ellipsis: its title holds all of it.
        ...rows.map((row) => h(doc, 'tr', {}, ...row.map((cell, i) => h(doc, 'td', { class: i > 0 && numeric(cell) ? 'num' : undefined, title: typeof cell === 'string' && cell.length > 40 ? cell : undefined }, cell)))),
      ),
    ),
  );
}
