#!/usr/bin/env bash
# The main job: install everything, then the paper's parameter table as our accounting
# reproduces it, the conformance report of every backend present, the quick cross-backend
# benchmark (a check that every backend runs, not a speed measurement: its control says how far
# its figures can be read), a training smoke run (every variant trains well above chance in a few
# minutes; too short to compare with the paper: `pnpm reproduce` is the parity run), and the
# HTML report of the last two.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
out="$PWD/benchmarks/results/latest"
pnpm exec linearconv params
pnpm exec linearconv conformance
pnpm exec linearconv bench --quick --out "$out/bench"
pnpm --filter @linearconv/benchmarks reproduce --budget quick --out "$out/reproduce"
pnpm exec linearconv report --bench "$out/bench/bench.json" --reproduce "$out/reproduce/results.json" --out "$out/report.html"
echo "The report: $out/report.html (the committed full runs: benchmarks/results/report.html)"
