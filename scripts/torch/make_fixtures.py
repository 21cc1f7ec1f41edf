#!/usr/bin/python3
"""Regenerates packages/torch/fixtures/ (committed, so CI needs no torch).

  /usr/bin/python3 scripts/torch/make_fixtures.py        # Debian: apt-get install python3-torch

Writes, with the authors' classes (authors_models.py) and seeded values:
- base-conv.pt, base-full.pt (torch.save zip format) and base-lowrank.safetensors: the authors'
  Base in its three forms (plain; sparse xCNN with a mask that zeroes ~30% of the coefficients;
  xCNNlow with rank ratio 0.5, so R differs per layer), BatchNorm running statistics set by
  train-mode forwards, each with a .json of PyTorch's eval-mode logits (float32, and float64 from
  the same weights) for seeded inputs (pattern.py's 'input').
- manifests/<arch>-<variant>.json for all six architectures x three variants: the authors'
  state_dict as (key, dtype, shape, role, fan, sum) and PyTorch's logits for pattern.py's
  deterministic weights, which the JS tests regenerate bit for bit (the checkpoints themselves
  would be ~200 MB).
- tiny-wrapped.pt: a small user model (xCNN, xCNNlow, BatchNorm, Linear) saved the way the
  authors' training scripts save ({'epoch', 'model_state_dict', 'opt'}), with its logits.
- tiny-dtypes.pt / tiny-dtypes.safetensors / tiny-dtypes.json: float16, bfloat16, float64 and
  integer tensors, a 0-d tensor, non-contiguous, shared-storage and stride-0 views, plain values,
  and the expected float32 values.
- module-pickle.pt (a whole nn.Module: must be refused) and legacy.pt (the pre-1.6 format).
"""

import collections
import json
import os
import struct
import sys

import numpy as np
import torch
import torch.nn as nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import pattern  # noqa: E402
from authors_models import authors_model, xCNN, xCNNlow  # noqa: E402

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'torch', 'fixtures')
ARCHS = ['base', 'vgg11', 'allconv', 'resnet18', 'resnext29', 'mobilenetv2']
VARIANTS = ['conv', 'full', 'lowRank']
RATIO = 0.5


def write_json(path, value):
    with open(path, 'w') as f:
        json.dump(value, f, indent=1)
        f.write('\n')


def pattern_input(shape):
    return torch.from_numpy(pattern.values('input', 'input', shape, 1).reshape(shape))


def logits(model, x):
    """Eval-mode logits in float32, and in float64 from the same float32 weights."""
    model.eval()
    with torch.no_grad():
        y32 = model(x).tolist()
        model64 = model.double()
        y64 = model64(x.double()).tolist()
        model.float()
    return y32, y64


def roles(model):
    """state_dict key -> (role, fan) from the module that owns it."""
    out = {}
    for name, module in model.named_modules():
        prefix = f'{name}.' if name else ''
        own = dict(module.named_parameters(recurse=False)) | dict(module.named_buffers(recurse=False))
        kind = type(module).__name__ if type(module).__name__ in ('xCNN', 'xCNNlow') else type(module)
        for key, t in own.items():
            shape = list(t.shape)
            fan_in = int(np.prod(shape[1:])) if len(shape) > 1 else 1
            table = {
                nn.Conv2d: {'weight': 'conv', 'bias': 'bias'},
                nn.Linear: {'weight': 'linear', 'bias': 'bias'},
                nn.BatchNorm2d: {'weight': 'bn.weight', 'bias': 'bn.bias', 'running_mean': 'bn.mean', 'running_var': 'bn.var', 'num_batches_tracked': 'count'},
                'xCNN': {'conv_weights': 'conv', 'linear_weights': 'coefficients', 'mask': 'mask', 'bias': 'bias'},
                'xCNNlow': {'conv_weights': 'conv', 'column_weights': 'column', 'row_weights': 'row', 'bias': 'bias'},
            }[kind]
            role = table[key]
            # conv: the filter length; coefficients, row: p; column: R; linear: its inputs.
            out[prefix + key] = (role, max(fan_in, 1) if role in ('conv', 'coefficients', 'column', 'row', 'linear') else 1)
    return out


def manifest(arch, variant):
    torch.manual_seed(0)
    model = authors_model(arch, variant, ratio=RATIO)
    sd = model.state_dict()
    role_of = roles(model)
    keys = []
    new_sd = collections.OrderedDict()
    for key, t in sd.items():
        role, fan = role_of[key]
        v = pattern.values(key, role, list(t.shape), fan)
        new_sd[key] = torch.from_numpy(np.asarray(v).reshape(list(t.shape))).to(t.dtype)
        keys.append({'key': key, 'dtype': str(t.dtype).replace('torch.', ''), 'shape': list(t.shape), 'role': role, 'fan': fan, 'sum': float(np.asarray(v, dtype=np.float64).sum())})
    model.load_state_dict(new_sd, strict=True)
    x = pattern_input([2, 3, 32, 32])
    y32, y64 = logits(model, x)
    return {
        'format': 'linearconv-torch-manifest@1',
        'description': f"The authors' {arch} ({variant}; rank ratio {RATIO} for lowRank) state_dict, with weights from scripts/torch/pattern.py",
        'arch': arch,
        'variant': variant,
        'ratio': RATIO if variant == 'lowRank' else None,
        'input': {'pattern': 'input', 'shape': [2, 3, 32, 32]},
        'keys': keys,
        'logits': y32,
        'logits64': y64,
    }


def set_batch_norm_statistics(model, in_channels, steps=4):
    """Train-mode forwards on seeded batches: running statistics and num_batches_tracked move."""
    model.train()
    with torch.no_grad():
        for _ in range(steps):
            model(torch.randn(8, in_channels, 32, 32) * 1.5 + 0.25)


def checkpoint_sidecar(arch, variant, model, x, extra=None):
    y32, y64 = logits(model, x)
    return {
        'arch': arch,
        'variant': variant,
        **(extra or {}),
        'input': {'pattern': 'input', 'shape': list(x.shape), 'first': x.flatten()[:4].tolist(), 'sum': float(x.double().sum())},
        'logits': y32,
        'logits64': y64,
    }


SAFETENSORS_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.float64: 'F64', torch.bfloat16: 'BF16', torch.int64: 'I64', torch.int32: 'I32', torch.int16: 'I16', torch.int8: 'I8', torch.uint8: 'U8', torch.bool: 'BOOL'}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:
        return t.view(torch.int16).numpy().astype('<i2').tobytes()
    if t.dtype == torch.bool:
        return t.numpy().astype(np.uint8).tobytes()
    a = t.numpy()
    return a.astype(a.dtype.newbyteorder('<')).tobytes()


def write_safetensors(path, tensors, metadata=None):
    """The safetensors layout (u64 little-endian header length, JSON header, packed data)."""
    header = {}
    blobs = []
    offset = 0
    for key, t in tensors.items():
        data = tensor_bytes(t)
        header[key] = {'dtype': SAFETENSORS_DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = metadata
    text = json.dumps(header, separators=(',', ':')).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for blob in blobs:
            f.write(blob)


def base_fixtures():
    x = pattern_input([3, 3, 32, 32])
    # Plain.
    torch.manual_seed(1)
    model = authors_model('base', 'conv')
    set_batch_norm_statistics(model, 3)
    torch.save(model.state_dict(), os.path.join(ROOT, 'base-conv.pt'))
    write_json(os.path.join(ROOT, 'base-conv.json'), checkpoint_sidecar('base', 'conv', model, x))
    # Sparse xCNN: a threshold above 0 zeroes about 30% of the coefficients through the mask.
    torch.manual_seed(2)
    model = authors_model('base', 'full')
    for m in model.modules():
        if isinstance(m, xCNN):
            m.mask = nn.Parameter(torch.abs(m.linear_weights) > 0.03, requires_grad=False)
    set_batch_norm_statistics(model, 3)
    masked = sum(int((m.mask == 0).sum()) for m in model.modules() if isinstance(m, xCNN))
    torch.save(model.state_dict(), os.path.join(ROOT, 'base-full.pt'))
    write_json(os.path.join(ROOT, 'base-full.json'), checkpoint_sidecar('base', 'full', model, x, {'maskedCoefficients': masked}))
    # Rank ratio 0.5: R = int(p * 0.5) = 8, 16, 32, 64.
    torch.manual_seed(3)
    model = authors_model('base', 'lowRank', ratio=RATIO)
    set_batch_norm_statistics(model, 3)
    write_safetensors(os.path.join(ROOT, 'base-lowrank.safetensors'), model.state_dict(), {'format': 'pt'})
    ranks = [int(m.column_weights.shape[1]) for m in model.modules() if isinstance(m, xCNNlow)]
    write_json(os.path.join(ROOT, 'base-lowrank.json'), checkpoint_sidecar('base', 'lowRank', model, x, {'ratio': RATIO, 'ranks': ranks}))


class TinyNet(nn.Module):
    """A user's own model: the authors' layers under the user's names."""

    def __init__(self):
        super().__init__()
        self.conv1 = xCNN(2, 6, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(6)
        self.conv2 = xCNNlow(6, 8, 3, padding=1, rank=0.5, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 2 * 2, 3)

    def forward(self, x):
        x = torch.relu(self.bn1(self.conv1(x)))
        x = torch.relu(self.bn2(self.conv2(x)))
        x = torch.max_pool2d(x, 2)
        return self.fc(x.view(x.size(0), -1))


def tiny_fixtures():
    torch.manual_seed(4)
    net = TinyNet()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(3):
        loss = net(torch.randn(4, 2, 4, 4)).square().mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    net.eval()
    x = pattern_input([2, 2, 4, 4])
    torch.save({'epoch': 7, 'model_state_dict': net.state_dict(), 'opt': opt.state_dict()}, os.path.join(ROOT, 'tiny-wrapped.pt'))
    sidecar = checkpoint_sidecar('tiny', 'user', net, x)
    sidecar['keys'] = {k: list(v.shape) for k, v in net.state_dict().items()}
    write_json(os.path.join(ROOT, 'tiny-wrapped.json'), sidecar)
    torch.save(net, os.path.join(ROOT, 'module-pickle.pt'))
    torch.save(net.state_dict(), os.path.join(ROOT, 'legacy.pt'), _use_new_zipfile_serialization=False)

    torch.manual_seed(5)
    base = torch.randn(10)
    tensors = collections.OrderedDict(
        [
            ('f32', torch.randn(2, 3)),
            ('f16', torch.randn(5).half()),
            ('f64', torch.randn(2, 2).double()),
            ('bf16', torch.randn(4).bfloat16()),
            ('i64', torch.tensor([-3, 0, 5, 2**40])),
            ('i32', torch.tensor([-7, 9], dtype=torch.int32)),
            ('i16', torch.tensor([-300, 300], dtype=torch.int16)),
            ('i8', torch.tensor([-128, 127], dtype=torch.int8)),
            ('u8', torch.tensor([0, 255], dtype=torch.uint8)),
            ('bool', torch.tensor([True, False, True])),
            ('scalar', torch.tensor(3.5)),
            ('transposed', torch.randn(3, 4).t()),
            ('shared_a', base[2:6]),
            ('shared_b', base[5:]),
            ('expanded', torch.tensor([1.0, 2.0]).expand(3, 2)),
            ('strided', torch.randn(6)[::2]),
        ]
    )
    plain = collections.OrderedDict([('count', 3), ('lr', 0.5), ('flag', True), ('name', 'tiny'), ('nothing', None)])
    torch.save(collections.OrderedDict(list(tensors.items()) + list(plain.items())), os.path.join(ROOT, 'tiny-dtypes.pt'))
    write_safetensors(os.path.join(ROOT, 'tiny-dtypes.safetensors'), tensors, {'note': 'tiny-dtypes'})
    expected = {
        key: {
            'dtype': str(t.dtype).replace('torch.', ''),
            'shape': list(t.shape),
            'contiguous': t.is_contiguous(),
            'data': [float(np.float32(v)) for v in t.double().flatten().tolist()],
        }
        for key, t in tensors.items()
    }
    write_json(os.path.join(ROOT, 'tiny-dtypes.json'), {'tensors': expected, 'plain': plain})


def main():
    os.makedirs(os.path.join(ROOT, 'manifests'), exist_ok=True)
    torch.set_num_threads(max(1, min(4, os.cpu_count() or 1)))
    base_fixtures()
    tiny_fixtures()
    for arch in ARCHS:
        for variant in VARIANTS:
            m = manifest(arch, variant)
            write_json(os.path.join(ROOT, 'manifests', f'{arch}-{variant}.json'), m)
            print(arch, variant, len(m['keys']), 'keys; logits[0][:3]', [round(v, 4) for v in m['logits'][0][:3]], flush=True)


if __name__ == '__main__':
    main()
