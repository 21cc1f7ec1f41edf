#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian/Ubuntu machine with Node 20:
# the system packages below (when run as root or with sudo), pnpm, the workspace, and a build.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages the tests and the main job use. None yet: the adapters will add theirs
# (a Vulkan driver for WebGPU, Chromium for browser tests, python3-onnx for the ONNX checker).
APT_PACKAGES=()

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "setup: installing ${missing[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION"
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
pnpm build
