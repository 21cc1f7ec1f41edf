#!/usr/bin/env bash
# The main job: install everything, then the paper's parameter table as our accounting
# reproduces it, the conformance report of every backend present, the quick cross-backend
# benchmark, a short paper-parity training run, and the HTML report of the last two.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out="$PWD/benchmarks/results/latest"
pnpm exec linearconv params
pnpm exec linearconv conformance
pnpm exec linearconv bench --quick --out "$out/bench"
pnpm --filter @linearconv/benchmarks reproduce --train 1000 --test 500 --epochs 1 --out "$out/reproduce"
pnpm exec linearconv report --bench "$out/bench/bench.json" --reproduce "$out/reproduce/results.json" --out "$out/report.html"
echo "The report: $out/report.html (the committed full runs: benchmarks/results/report.html)"
