import { describe, expect, it } from 'vitest';
import { OnnxGraph } from './graph.js';
import { checkModels, MISSING_ONNX } from './test-support/onnx-checker.js';

// The checker every export test relies on must be able to fail, and must fail loudly when it
// is not installed.
describe('the ONNX checker the tests use', () => {
  it('reports a model that breaks the spec', () => {
    const graph = new OnnxGraph();
    const x = graph.input('input', 'input', [1, 3, 8, 8]);
    // A Conv whose filters have rank 2 cannot be typed: strict shape inference rejects it.
    const y = graph.node('Conv', [x, graph.floats('w', [4, 3], new Float32Array(12))], 'conv');
    graph.output('output', y, 'output', [1, 4, 8, 8]);
    const { version, errors } = checkModels({ broken: graph.encode('broken', '', {}) });
    expect(version).toMatch(/^1\.\d+/);
    expect(errors.broken).toMatch(/Error/);
  });

  it('fails with the way to install it when no Python has the onnx module', () => {
    expect(() => checkModels({ any: new Uint8Array() }, ['/nonexistent/python3'])).toThrow(MISSING_ONNX);
    expect(MISSING_ONNX).toMatch(/bash scripts\/setup\.sh/);
  });
});
