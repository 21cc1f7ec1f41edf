"""Deterministic weights for the shape manifests (packages/torch/fixtures/manifests/).

The large models are too big to commit as checkpoints, so their fixtures are a manifest of the
authors' state_dict (key, dtype, shape, role) plus PyTorch's logits for weights given by this
formula. The JavaScript tests (packages/torch/fixtures/pattern.js) compute the same
float32 values bit for bit: every step below is an integer operation or one IEEE-rounded
float64 operation followed by a single rounding to float32, and the manifest stores each
tensor's float64 sum so that any drift shows as a named mismatch.
"""

import math

import numpy as np

MASK32 = 0xFFFFFFFF


def fnv1a(text):
    h = 0x811C9DC5
    for b in text.encode('utf-8'):
        h ^= b
        h = (h * 0x01000193) & MASK32
    return h


def hash32(key, n):
    """n 32-bit hashes for tensor `key` (uint64 array holding uint32 values)."""
    i = np.arange(n, dtype=np.uint64)
    x = (i * np.uint64(0x9E3779B1) + np.uint64(fnv1a(key))) & np.uint64(MASK32)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x7FEB352D)) & np.uint64(MASK32)
    x ^= x >> np.uint64(15)
    x = (x * np.uint64(0x846CA68B)) & np.uint64(MASK32)
    x ^= x >> np.uint64(16)
    return x


def uniform(key, n):
    """float64 values in [-1, 1), each exactly representable in float32."""
    return (hash32(key, n) >> np.uint64(8)).astype(np.float64) * 2.0**-23 - 1.0


def f32(x):
    return float(np.float32(x))


def values(key, role, shape, fan):
    """The float32 values (as a numpy float32 array, C order) of one state_dict entry."""
    n = int(np.prod(shape)) if len(shape) else 1
    u = uniform(key, n)
    if role == 'conv':
        v = u * f32(math.sqrt(6.0 / fan))
    elif role in ('coefficients', 'column', 'row', 'linear'):
        v = u * f32(math.sqrt(3.0 / fan))
    elif role == 'bias':
        v = u / 16
    elif role == 'bn.weight':
        v = 1 + u / 8
    elif role in ('bn.bias', 'bn.mean'):
        v = u / 8
    elif role == 'bn.var':
        v = 1 + (u + 1) / 4
    elif role == 'input':
        v = u
    elif role == 'mask':
        return ((hash32(key, n) >> np.uint64(8)) & np.uint64(3)) != 0
    elif role == 'count':
        return np.full(n, 7, dtype=np.int64)
    else:
        raise ValueError(role)
    return v.astype(np.float32)
