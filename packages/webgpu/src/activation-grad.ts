import type { Activation } from './conv-forward.js';
import { type BindingDeclaration, bindingsOf, declareBindings, declareUniforms, linearGrid, type Program } from './program.js';
import { uniformLayout } from './uniforms.js';

const COUNT_UNIFORMS = uniformLayout('Params', [
  ['count', 'u32'],
  ['gridX', 'u32'],
]);

/**
 * Backward through a fused activation, from the layer's output y: dy·[y > 0] for relu,
 * dy·[0 < y < 6] for relu6 (y tells where the pre-activation was inside the linear range).
 * Bindings: output, outputGrad, result.
 */
export function activationGradProgram(activation: Exclude<Activation, 'none'>, count: number): Program {
  const bindings: BindingDeclaration[] = [
    { name: 'output', variable: 'y', access: 'read', bytes: count * 4, type: 'array<f32>' },
    { name: 'outputGrad', variable: 'dy', access: 'read', bytes: count * 4, type: 'array<f32>' },
    { name: 'preActivationGrad', variable: 'result', access: 'read_write', bytes: count * 4, type: 'array<f32>' },
  ];
  const [x, y] = linearGrid(Math.ceil(count / 256));
  const inside = activation === 'relu' ? 'y[i] > 0.0' : 'y[i] > 0.0 && y[i] < 6.0';
  const code = `${declareBindings(bindings)}
${declareUniforms(COUNT_UNIFORMS, bindings.length)}

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let i = id.x + id.y * params.gridX * 256u;
  if (i >= params.count) { return; }
  result[i] = select(0.0, dy[i], ${inside});
}
`;
  return {
    key: `activation-grad/${activation}`,
    code,
    bindings: bindingsOf(bindings),
    workgroups: [x, y, 1],
    uniforms: { layout: COUNT_UNIFORMS, values: { count, gridX: x } },
  };
}
