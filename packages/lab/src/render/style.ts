/** The renderer's own CSS, added once per document: the tables and charts look the same wherever they are rendered. */
const CSS = `
.lc-results { font: 14px/1.45 system-ui, sans-serif; color: #222; max-width: 100%; min-width: 0; }
.lc-results h2 { font-size: 18px; border-bottom: 1px solid #ccc; padding-bottom: 4px; margin-top: 28px; }
.lc-results h3 { font-size: 15px; margin: 18px 0 6px; }
.lc-scroll { max-width: 100%; overflow-x: auto; margin: 6px 0 14px; }
.lc-table { border-collapse: collapse; }
.lc-table th, .lc-table td { border: 1px solid #ddd; padding: 3px 8px; text-align: left; vertical-align: top; }
.lc-table th { background: #f5f5f5; font-weight: 600; max-width: 14em; }
.lc-table td { white-space: nowrap; max-width: 32em; overflow: hidden; text-overflow: ellipsis; }
.lc-table td.num { text-align: right; font-variant-numeric: tabular-nums; }
.lc-ratio { color: #555; font-size: 12px; }
.lc-bad { color: #b00020; font-weight: 600; }
.lc-chart { margin: 10px 0 22px; max-width: 100%; overflow-x: auto; }
.lc-chart figcaption { margin-bottom: 4px; }
.lc-legend { margin: 2px 0; }
.lc-note { color: #555; }
.lc-control { background: #f4f8fc; border-left: 3px solid #4269d0; padding: 4px 10px; margin: 6px 0; }
.lc-heatmaps { display: flex; flex-wrap: wrap; gap: 12px; }
.lc-heatmaps figure { margin: 0; }
`;

const ID = 'linearconv-render-style';

export function ensureStyle(doc: Document): void {
  if (doc.getElementById(ID)) return;
  const style = doc.createElement('style');
  style.id = ID;
  style.textContent = CSS;
  doc.head.append(style);
}
