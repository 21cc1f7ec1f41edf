/** Writes the committed cases: `pnpm --filter @linearconv/conformance generate [OUT_DIR]`. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CASE_DEFINITIONS } from './case-definitions.js';
import { committedCasesDir } from './cases.js';
import { casesModule } from './cases-module.js';
import { generateCase } from './generate.js';

const out = process.argv[2] ?? committedCasesDir;
mkdirSync(out, { recursive: true });
// Hand-written cases (hand-*.json) and those exported from PyTorch layers (torch-*.json, by
// scripts/torch/export_case.py) are kept; generated ones are rewritten from scratch.
const kept = (file: string) => file.startsWith('hand-') || file.startsWith('torch-');
for (const file of readdirSync(out)) if (file.endsWith('.json') && !kept(file)) rmSync(join(out, file));
for (const definition of CASE_DEFINITIONS) {
  writeFileSync(join(out, `${definition.name}.json`), `${JSON.stringify(generateCase(definition))}\n`);
}
// The module that bundles them all (hand-written ones included) for committedCases().
const module = casesModule(readdirSync(out).filter((file) => file.endsWith('.json')));
writeFileSync(join(out, 'index.js'), module.js);
writeFileSync(join(out, 'index.d.ts'), module.dts);
console.log(`wrote ${CASE_DEFINITIONS.length} cases and their index to ${out}`);
