#!/usr/bin/python3
"""Writes `linearconv-case@1` files (packages/conformance/CASE-FORMAT.md) from PyTorch
LinearConv-style layers, so that every linearconv backend can be checked against your layer:

  pnpm exec linearconv conformance --cases my-layer.json

Only torch is needed (Debian: apt-get install python3-torch). As a module:

  from export_case import export_case, LinearConvParts
  export_case(layer, x, 'my-layer', 'my-layer.json')          # the authors' xCNN / xCNNlow
  export_case(LinearConvParts(primary=P, coefficients=A, bias=b, stride=(1, 1),
              padding=(1, 1, 1, 1)), x, 'mine', 'mine.json', module=my_layer)   # your own layer

Inputs and weights are written as the float32 values the layer holds; every expected value
(filters, output, correlation value and gradient, backward gradients) is computed in float64
from them and written in full precision ("expectedPrecision": "float64"). When the layer module
is given, its own float32 forward must agree with the float64 recomputation (so a wrong reading
of your layer's parameters stops here, not in a backend).

Run as a script, it writes example cases from the authors' classes:
  /usr/bin/python3 scripts/torch/export_case.py OUT_DIR
"""

import dataclasses
import json
import os
import re
import sys
from typing import Optional, Sequence

import numpy as np
import torch
import torch.nn.functional as F

FORMAT = 'linearconv-case@1'


@dataclasses.dataclass
class LinearConvParts:
    """A LinearConv layer in the case format's terms (packages/core/README.md): W = cat(P, A·flat(P)).

    primary [p, C/g, kh, kw]; coefficients [s, p] (full), or column [s, R] and row [R, p] (low
    rank); bias [F] or None; padding [top, bottom, left, right]."""

    primary: torch.Tensor
    coefficients: Optional[torch.Tensor] = None
    column: Optional[torch.Tensor] = None
    row: Optional[torch.Tensor] = None
    bias: Optional[torch.Tensor] = None
    stride: Sequence[int] = (1, 1)
    padding: Sequence[int] = (0, 0, 0, 0)
    dilation: Sequence[int] = (1, 1)
    groups: int = 1


def _pair(v):
    return (v, v) if isinstance(v, int) else tuple(v)


def parts_of(layer, in_channels):
    """The parts of the authors' xCNN (sparse model-file version: coefficients = linear_weights *
    mask; or the plain linearconv.py one) or xCNNlow (rank ratio or constant rank)."""
    primary = layer.conv_weights.detach()
    # Their copies apply groups in some files and not in others: read it from the shapes.
    groups = in_channels // primary.shape[1]
    common = dict(primary=primary, bias=layer.bias.detach() if getattr(layer, 'biasTrue', False) else None, stride=_pair(layer.stride), groups=groups)
    p = _pair(layer.padding)
    common['padding'] = (p[0], p[0], p[1], p[1])
    if hasattr(layer, 'linear_weights'):
        a = layer.linear_weights.detach()
        mask = getattr(layer, 'mask', None)
        if mask is not None:
            a = a * mask.detach().to(a.dtype)
        return LinearConvParts(coefficients=a, **common)
    if hasattr(layer, 'column_weights'):
        if layer.column_weights.shape[1] == 0:
            raise ValueError('column_weights has rank 0 (int(p * ratio) = 0): not a LinearConv layer the format can describe')
        return LinearConvParts(column=layer.column_weights.detach(), row=layer.row_weights.detach(), **common)
    raise TypeError(f'{type(layer).__name__}: not an xCNN / xCNNlow; pass LinearConvParts for your own layer')


def compose(parts, dtype=torch.float64):
    """The full bank W [F, C/g, kh, kw] in `dtype`."""
    P = parts.primary.to(dtype)
    p = P.shape[0]
    flat = P.reshape(p, -1)
    if parts.coefficients is not None:
        secondary = parts.coefficients.to(dtype) @ flat
    else:
        secondary = parts.column.to(dtype) @ (parts.row.to(dtype) @ flat)
    return torch.cat([flat, secondary], 0).reshape(-1, *P.shape[1:])


def forward(parts, x, W, bias):
    top, bottom, left, right = parts.padding
    x = F.pad(x, (left, right, top, bottom))
    return F.conv2d(x, W, bias, stride=tuple(parts.stride), dilation=tuple(parts.dilation), groups=parts.groups)


def correlation(V):
    """The paper's regulariser: sum over i != j of |Pearson correlation| between the primaries (no epsilon)."""
    flat = V.reshape(V.shape[0], -1)
    xc = flat - flat.mean(1, keepdim=True)
    cov = xc @ xc.t() / (flat.shape[1] - 1)
    d = torch.sqrt(torch.diag(cov))
    c = torch.clamp(cov / d[:, None] / d[None, :], -1.0, 1.0)
    return (c - torch.diag(torch.diag(c))).abs().sum()


def f32_list(t):
    """float32 values, in the shortest decimal that reads back as the same float32."""
    return [float(np.format_float_positional(v, unique=True, trim='-')) for v in t.detach().to(torch.float32).flatten().numpy()]


def f64_list(t):
    return [float(v) for v in t.detach().to(torch.float64).flatten().tolist()]


def tensor(t, values):
    return {'shape': list(t.shape), 'data': values(t)}


def export_case(source, x, name, path, description=None, module=None, backward=True, output_grad=None, seed=0):
    """Writes one case file. `source`: the authors' xCNN / xCNNlow, or LinearConvParts. `x`: an
    NCHW input. `module` (optional, default `source` when it is a layer): its float32 forward is
    checked against the float64 recomputation before anything is written."""
    if not re.fullmatch(r'[a-z0-9-]+', name):
        raise ValueError(f'name must match [a-z0-9-]+, got {name!r}')
    x32 = x.detach().to(torch.float32)
    if isinstance(source, LinearConvParts):
        parts = source
    else:
        parts = parts_of(source, x32.shape[1])
        module = source if module is None else module
    # Everything below starts from the float32 values the file will hold.
    parts = dataclasses.replace(parts, **{f: getattr(parts, f).detach().to(torch.float32) for f in ('primary', 'coefficients', 'column', 'row', 'bias') if getattr(parts, f) is not None})
    F_ = compose(parts, torch.float32).shape[0]
    p = parts.primary.shape[0]

    # float64, with gradients.
    leaves = {f: getattr(parts, f).to(torch.float64).clone().requires_grad_(True) for f in ('primary', 'coefficients', 'column', 'row', 'bias') if getattr(parts, f) is not None}
    x64 = x32.to(torch.float64).clone().requires_grad_(True)
    parts64 = dataclasses.replace(parts, **leaves)
    W = compose(parts64)
    y = forward(parts64, x64, W, leaves.get('bias'))

    if module is not None:
        with torch.no_grad():
            mine = module(x32)
        err = (mine.double() - y.detach()).abs().max().item()
        scale = max(1.0, y.detach().abs().max().item())
        if not err <= 1e-4 * scale:
            raise ValueError(f'the layer\'s own forward differs from the recomputation from its parts by {err:.3g}: the parts do not describe it')

    case = {
        'format': FORMAT,
        'name': name,
        **({'description': description} if description else {}),
        'layer': {
            'inChannels': int(x32.shape[1]),
            'outChannels': int(F_),
            'kernelSize': list(parts.primary.shape[2:]),
            'strides': list(parts.stride),
            'padding': list(parts.padding),
            'dilation': list(parts.dilation),
            'groups': int(parts.groups),
            'useBias': parts.bias is not None,
            'primaryFilters': int(p),
            'coefficients': {'kind': 'full'} if parts.coefficients is not None else {'kind': 'lowRank', 'rank': int(parts.column.shape[1])},
        },
        'input': tensor(x32, f32_list),
        'weights': {f: tensor(getattr(parts, f), f32_list) for f in ('primary', 'coefficients', 'column', 'row', 'bias') if getattr(parts, f) is not None},
        'expected': {'filters': tensor(W, f64_list), 'output': tensor(y, f64_list)},
        'expectedPrecision': 'float64',
    }
    if p >= 2 and np.prod(parts.primary.shape[1:]) >= 2:
        V = leaves['primary'].detach().clone().requires_grad_(True)
        value = correlation(V)
        (grad,) = torch.autograd.grad(value, V)
        if torch.isfinite(value) and torch.isfinite(grad).all():
            case['expected']['correlation'] = {'value': float(value), 'primaryGrad': tensor(grad, f64_list)}
    if backward:
        g = torch.Generator().manual_seed(seed)
        dy = output_grad if output_grad is not None else torch.randn(y.shape, generator=g)
        dy = dy.to(torch.float32)
        grads = torch.autograd.grad((y * dy.to(torch.float64)).sum(), [x64, *leaves.values()])
        back = {'outputGrad': tensor(dy, f32_list), 'inputGrad': tensor(grads[0], f64_list)}
        for (f, _), gr in zip(leaves.items(), grads[1:]):
            back[f'{f}Grad'] = tensor(gr, f64_list)
        case['expected']['backward'] = back
    with open(path, 'w') as out:
        json.dump(case, out)
        out.write('\n')
    return case


def main(out_dir):
    """Example cases from the authors' classes: the sparse xCNN with its mask, xCNNlow with a
    rank ratio, and a grouped xCNN as in their ResNeXt file."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from authors_models import xCNN, xCNN_resnext, xCNNlow

    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    sparse = xCNN(3, 8, 3)
    sparse.mask = torch.nn.Parameter(torch.abs(sparse.linear_weights) > 0.03, requires_grad=False)
    low = xCNNlow(4, 10, 3, padding=0, stride=2, rank=0.5, bias=False)
    grouped = xCNN_resnext(4, 8, 3, padding=1, groups=2, bias=False)
    for layer, name, c, size, what in [
        (sparse, 'torch-xcnn-sparse-mask', 3, 7, "the authors' sparse xCNN (coefficients = linear_weights * mask)"),
        (low, 'torch-xcnnlow-ratio-stride2', 4, 9, "the authors' xCNNlow, rank ratio 0.5 (R = 2), stride 2, no bias"),
        (grouped, 'torch-xcnn-groups2', 4, 6, "the authors' grouped xCNN (resnext_xcnn.py), groups 2"),
    ]:
        x = torch.randn(2, c, size, size)
        path = os.path.join(out_dir, f'{name}.json')
        export_case(layer, x, name, path, description=f'{what}, exported from PyTorch by scripts/torch/export_case.py')
        print(path)


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else 'torch-cases')
