// The report page: renders results embedded by `linearconv report`, given by URL
// (report.html?data=a.json&data=b.json, over http) or loaded from files, with the one renderer.
import { type LabeledResult, labeledResult, renderReproduction, renderResults } from '../render/index.js';
import { REPORT_DATA_ID, REPORT_FORMAT, type ReportData } from './data.js';

const byId = (id: string) => document.getElementById(id)!;
const loaded: LabeledResult[] = [];

function show(results: readonly LabeledResult[]): void {
  renderResults(byId('results'), results);
}

function problem(text: string): void {
  const p = document.createElement('p');
  p.className = 'lc-missing';
  p.textContent = text;
  byId('problems').append(p);
}

function add(value: unknown, label: string): void {
  try {
    loaded.push(labeledResult(value, label));
  } catch (e) {
    problem((e as Error).message);
  }
}

function embedded(): ReportData | null {
  const block = document.getElementById(REPORT_DATA_ID);
  if (!block?.textContent?.trim()) return null;
  const data = JSON.parse(block.textContent) as ReportData;
  if (data.format !== REPORT_FORMAT) throw new Error(`${REPORT_DATA_ID}: format must be "${REPORT_FORMAT}", got ${JSON.stringify(data.format)}`);
  return data;
}

function meta(data: ReportData): void {
  if (data.title) {
    document.title = data.title;
    byId('title').textContent = data.title;
  }
  const parts = [data.date && `Generated ${data.date}`, data.command && `by ${data.command}`, data.machine && `on ${data.machine}`].filter(Boolean);
  byId('meta').textContent = parts.length ? `${parts.join(' ')}.` : '';
  for (const m of data.missing ?? []) problem(`No ${m.what} at ${m.file}. Produce them with ${m.command}, then run the report again.`);
  for (const r of data.results) add(r.value, r.label);
  if (data.reproduce) renderReproduction(byId('reproduce'), data.reproduce.results, data.reproduce.file);
}

async function fromUrls(urls: readonly string[]): Promise<void> {
  for (const url of urls) {
    try {
      const response = await fetch(url);
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      add(await response.json(), url.split('/').pop() || url);
    } catch (e) {
      problem(`${url}: ${(e as Error).message}`);
    }
  }
}

function loader(): void {
  const input = byId('files') as HTMLInputElement;
  input.addEventListener('change', async () => {
    for (const file of input.files ?? []) {
      try {
        add(JSON.parse(await file.text()), file.name);
      } catch (e) {
        problem(`${file.name}: ${(e as Error).message}`);
      }
    }
    input.value = '';
    show(loaded);
  });
}

async function main(): Promise<void> {
  loader();
  try {
    const data = embedded();
    if (data) meta(data);
  } catch (e) {
    problem((e as Error).message);
  }
  await fromUrls(new URLSearchParams(location.search).getAll('data'));
  show(loaded);
  document.body.dataset.rendered = 'true';
}

void main();
