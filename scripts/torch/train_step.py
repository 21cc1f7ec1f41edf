#!/usr/bin/python3
"""PyTorch side of `pnpm bench:train` (benchmarks/src/train-bench/): a persistent worker that
times one training step at a time of the paper's Base / VGG11, with plain nn.Conv2d or the
authors' LinearConv layer (xCNN, which recomposes its filters in every forward), on CPU.

  /usr/bin/python3 scripts/torch/train_step.py '{"threads": 1, "models": ["base"],
      "variants": ["conv", "linearconv"], "batch": 32, "seed": 1}'

It speaks the JSON-lines protocol of benchmarks/src/train-bench/protocol.ts: every line it means
for the parent starts with `TRAIN-BENCH `; it answers `ready` (or `absent` when torch cannot be
imported), then one `step` per `{"op": "step", "model", "variant"}` line on stdin, until
`{"op": "exit"}` or the end of stdin. A step is zero_grad, forward in train mode, softmax
cross-entropy, backward and Adam's update, timed with perf_counter around exactly that.
"""

import json
import os
import sys
import time

PREFIX = 'TRAIN-BENCH '


def send(message):
    sys.stdout.write(PREFIX + json.dumps(message) + '\n')
    sys.stdout.flush()


def main():
    settings = json.loads(sys.argv[1])
    try:
        import torch
        import torch.nn.functional as F
    except Exception as e:  # noqa: BLE001 - any import failure makes the row absent, with its reason
        send({'type': 'absent', 'reason': f'import torch failed in {sys.executable}: {e}'})
        return
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from authors_models import authors_model

    torch.set_num_threads(settings['threads'])
    torch.manual_seed(settings['seed'])
    batch = settings['batch']
    generator = torch.Generator().manual_seed(settings['seed'])
    # The paper's MNIST-shaped runs: 1 channel, 32×32, 10 classes; the same shape the tfjs worker uses.
    x = torch.randn(batch, 1, 32, 32, generator=generator)
    y = torch.randint(0, 10, (batch,), generator=generator)

    cases = {}
    for model_name in settings['models']:
        for variant in settings['variants']:
            # conv: their NET with nn.Conv2d ('n'); linearconv: with their xCNN ('x'), p = F/2, full coefficients.
            model = authors_model(model_name, 'conv' if variant == 'conv' else 'full', in_channels=1, classes=10)
            model.train()
            # xCNN's mask is a parameter without a gradient: not trained, not counted.
            params = [p for p in model.parameters() if p.requires_grad]
            cases[(model_name, variant)] = (model, torch.optim.Adam(params, lr=1e-3))

    def blas():
        # Debian's python3-torch calls whichever libblas.so.3 the system's alternatives select; the
        # reference BLAS runs torch.mm (the authors' composition, the fc layers) ~50× slower than OpenBLAS.
        try:
            with open('/proc/self/maps') as maps:
                paths = sorted({line.split()[-1] for line in maps if 'blas' in line.split()[-1].lower()})
        except OSError:
            paths = []
        a, b = torch.randn(256, 256, generator=generator), torch.randn(256, 1024, generator=generator)
        torch.mm(a, b)
        start = time.perf_counter()
        torch.mm(a, b)
        gflops = 2 * 256 * 256 * 1024 / (time.perf_counter() - start) / 1e9
        return {'blas': ' '.join(paths) or 'unknown', 'mm': f'{gflops:.1f} GFLOP/s (256×256 · 256×1024)'}

    def count(model):
        return sum(p.numel() for p in model.parameters() if p.requires_grad)

    send({
        'type': 'ready',
        'threads': torch.get_num_threads(),
        'versions': {'torch': torch.__version__, 'python': sys.version.split()[0], **blas()},
        'cases': [{'model': m, 'variant': v, 'params': count(model)} for (m, v), (model, _) in cases.items()],
    })

    for line in sys.stdin:
        request = json.loads(line)
        if request['op'] == 'exit':
            break
        key = (request['model'], request['variant'])
        if request['op'] != 'step' or key not in cases:
            send({'type': 'error', 'message': f'unknown request {line.strip()}'})
            continue
        model, optimizer = cases[key]
        start = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = F.cross_entropy(model(x), y)
        loss.backward()
        optimizer.step()
        value = loss.item()
        ms = (time.perf_counter() - start) * 1000
        send({'type': 'step', 'model': key[0], 'variant': key[1], 'ms': ms, 'loss': value})


if __name__ == '__main__':
    main()
