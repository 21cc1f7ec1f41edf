#!/usr/bin/env bash
# The main job: install everything, then print the paper's parameter table as our accounting
# reproduces it and the conformance report of every backend present.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
pnpm exec linearconv params
pnpm exec linearconv conformance
