#!/usr/bin/env bash
# Installs everything the project needs on a fresh Debian/Ubuntu machine with Node 20: the
# system packages below (with apt-get, as root or through sudo), pnpm, the workspace, a build.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
apt_updated=""
apt_install() {
  [ -n "$apt_updated" ] || { $sudo apt-get update -qq; apt_updated=1; }
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "$@"
}

# A Vulkan driver for WebGPU in Node (Dawn): Mesa's software rasteriser lavapipe. Dawn rejects
# Debian 12's Mesa 22, so on bookworm it comes from bookworm-backports (Mesa 25).
if ! ls /usr/share/vulkan/icd.d/lvp_icd*.json >/dev/null 2>&1; then
  echo "setup: installing Mesa's Vulkan driver (lavapipe)"
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
  if [ "$codename" = bookworm ]; then
    if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
      printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' |
        $sudo tee /etc/apt/sources.list.d/linearconv-backports.sources >/dev/null
    fi
    apt_install -t bookworm-backports mesa-vulkan-drivers libvulkan1
  else
    apt_install mesa-vulkan-drivers libvulkan1
  fi
fi

# Debian packages: Chromium for the browser tests, the official ONNX checker for exported
# models, Fashion-MNIST for the paper-parity training runs.
APT_PACKAGES=(chromium python3-onnx dataset-fashion-mnist)
missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi

PNPM_VERSION=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm@$PNPM_VERSION"
  npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION"
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile
pnpm build
