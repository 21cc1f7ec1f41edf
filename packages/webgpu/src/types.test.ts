import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// A project outside the workspace that imports the built package: requestDevice() must return a
// real GPUDevice type, not any, with and without skipLibCheck, with and without the DOM lib.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tsc = join(dirname(createRequire(join(root, 'package.json')).resolve('typescript/package.json')), 'bin', 'tsc');
const dir = mkdtempSync(join(tmpdir(), 'linearconv-webgpu-types-'));
mkdirSync(join(dir, 'node_modules', '@linearconv'), { recursive: true });
symlinkSync(root, join(dir, 'node_modules', '@linearconv', 'webgpu'));
writeFileSync(join(dir, 'package.json'), '{ "type": "module", "private": true }\n');
writeFileSync(
  join(dir, 'uses.ts'),
  `import { download, LinearConvLayer, requestDevice } from '@linearconv/webgpu';
import { webgpuBackend } from '@linearconv/webgpu/conformance';
const device: Awaited<ReturnType<typeof requestDevice>> = null!;
const buffer: GPUBuffer = device.createBuffer({ size: 16, usage: 128 });
export const values: Promise<Float32Array> = download(device, buffer);
export const layer: LinearConvLayer | undefined = undefined;
export const backend = webgpuBackend(device);
`,
);
writeFileSync(
  join(dir, 'not-any.ts'),
  `import { requestDevice } from '@linearconv/webgpu';
const device: Awaited<ReturnType<typeof requestDevice>> = null!;
export const n: number = device;
`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** tsc's diagnostics for `file` under `options` (empty when it compiles). */
function diagnostics(file: string, options: Record<string, unknown>): string[] {
  const compilerOptions = { strict: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', types: [], noEmit: true, ...options };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: [file] }));
  try {
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')], { cwd: dir, encoding: 'utf8' });
    return [];
  } catch (e) {
    return String((e as { stdout?: string }).stdout).trim().split('\n');
  }
}

describe('declarations for a TypeScript user', () => {
  for (const skipLibCheck of [false, true]) {
    for (const lib of [['ES2022'], ['ES2022', 'DOM']]) {
      it(`GPUDevice and GPUBuffer resolve (skipLibCheck ${skipLibCheck}, lib ${lib.join(' + ')})`, () => {
        expect(diagnostics('uses.ts', { skipLibCheck, lib })).toEqual([]);
        expect(diagnostics('not-any.ts', { skipLibCheck, lib })).toEqual([
          "not-any.ts(3,14): error TS2322: Type 'GPUDevice' is not assignable to type 'number'.",
        ]);
      });
    }
  }
});
