import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The official checker with full shape inference, on each file; a missing onnx module is
// reported as such (exit 3), never as a pass.
const script = `
import json, sys
try:
    import onnx, onnx.checker, onnx.shape_inference
except ImportError:
    sys.exit(3)
results = {}
for path in sys.argv[1:]:
    try:
        model = onnx.load(path)
        onnx.checker.check_model(model, full_check=True)
        onnx.shape_inference.infer_shapes(model, strict_mode=True)
        results[path] = None
    except Exception as e:
        results[path] = type(e).__name__ + ": " + str(e)
print(json.dumps({"version": onnx.__version__, "results": results}))
`;

// Debian's python3 first: python3-onnx installs there, whatever python3 is first on PATH.
const debianFirst = ['/usr/bin/python3', 'python3'];

export const MISSING_ONNX =
  'the official ONNX checker (Python module onnx) is not installed: run `bash scripts/setup.sh`, which installs Debian\'s python3-onnx';

/**
 * Runs onnx.checker.check_model(full_check=True) and onnx.shape_inference.infer_shapes(strict_mode=True)
 * on every model; returns each model's error, or null when it passed. Throws when no Python has onnx.
 */
export function checkModels(
  models: Readonly<Record<string, Uint8Array>>,
  pythons: readonly string[] = debianFirst,
): { version: string; errors: Record<string, string | null> } {
  const dir = mkdtempSync(join(tmpdir(), 'linearconv-onnx-check-'));
  try {
    const paths = Object.entries(models).map(([name, bytes]) => {
      const path = join(dir, `${name.replace(/[^\w.-]/g, '_')}.onnx`);
      writeFileSync(path, bytes);
      return [name, path] as const;
    });
    for (const python of pythons) {
      const run = spawnSync(python, ['-c', script, ...paths.map(([, p]) => p)], { encoding: 'utf8', maxBuffer: 64 << 20 });
      if (run.error || run.status === 3) continue;
      if (run.status !== 0) throw new Error(`${python} failed running the ONNX checker: ${run.stderr}`);
      const { version, results } = JSON.parse(run.stdout) as { version: string; results: Record<string, string | null> };
      return { version, errors: Object.fromEntries(paths.map(([name, path]) => [name, results[path]])) };
    }
    throw new Error(MISSING_ONNX);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
