import type { Activation } from './conv-forward.js';
import { activationExpression } from './conv-forward.js';
import { type ConvShape, convShapeKey, convSizes } from './conv-shape.js';
import { type BindingDeclaration, bindingsOf, declareBindings, linearGrid, type Program, u32 } from './program.js';

/**
 * The correctness oracle for the tiled forward: one output per invocation, the reference
 * conv's loops written out in WGSL. Slow on purpose; tests compare the fast kernel against it.
 * Bindings: input, filters, bias (when used), output.
 */
export function convForwardNaiveProgram(shape: ConvShape, options: { bias: boolean; activation?: Activation }): Program {
  const s = convSizes(shape);
  const activation = options.activation ?? 'none';
  const bindings: BindingDeclaration[] = [
    { name: 'input', variable: 'x', access: 'read', bytes: s.input * 4, type: 'array<f32>' },
    { name: 'filters', variable: 'w', access: 'read', bytes: s.filters * 4, type: 'array<f32>' },
    ...(options.bias ? [{ name: 'bias', variable: 'bias', access: 'read' as const, bytes: shape.outChannels * 4, type: 'array<f32>' }] : []),
    { name: 'output', variable: 'y', access: 'read_write', bytes: s.output * 4, type: 'array<f32>' },
  ];
  const [gx, gy] = linearGrid(Math.ceil(s.output / 64));
  const { height: h, width: w, kernelHeight: kh, kernelWidth: kw, outHeight: oh, outWidth: ow } = shape;
  const code = `${declareBindings(bindings)}

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
  let index = id.x + id.y * ${u32(gx * 64)};
  if (index >= ${u32(s.output)}) { return; }
  let j = i32(index % ${u32(ow)});
  let i = i32(index / ${u32(ow)} % ${u32(oh)});
  let o = index / ${u32(s.outPlane)} % ${u32(shape.outChannels)};
  let n = index / ${u32(s.outPlane * shape.outChannels)};
  let c0 = o / ${u32(s.fg)} * ${u32(s.cg)};
  var sum = ${options.bias ? 'bias[o]' : '0.0'};
  for (var c = 0u; c < ${u32(s.cg)}; c++) {
    for (var u = 0i; u < ${kh}i; u++) {
      let r = i * ${shape.strides[0]}i - ${shape.padding[0]}i + u * ${shape.dilation[0]}i;
      if (r < 0i || r >= ${h}i) { continue; }
      for (var v = 0i; v < ${kw}i; v++) {
        let q = j * ${shape.strides[1]}i - ${shape.padding[2]}i + v * ${shape.dilation[1]}i;
        if (q < 0i || q >= ${w}i) { continue; }
        sum += x[((n * ${u32(shape.inChannels)} + c0 + c) * ${u32(h)} + u32(r)) * ${u32(w)} + u32(q)]
             * w[((o * ${u32(s.cg)} + c) * ${u32(kh)} + u32(u)) * ${u32(kw)} + u32(v)];
      }
    }
  }
  y[index] = ${activationExpression(activation, 'sum', 'f32')};
}
`;
  return {
    key: `conv2d-forward-naive/${convShapeKey(shape)}/${options.bias ? 'bias' : 'nobias'}-${activation}`,
    code,
    bindings: bindingsOf(bindings),
    workgroups: [gx, gy, 1],
  };
}
