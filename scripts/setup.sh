#!/bin/sh
# Installs what ai-way's tests and its Linux runtime need on Debian/Ubuntu, then the npm packages.
# Idempotent: installs only what is missing. Needs root (or sudo) only when something is missing.
set -eu
cd "$(dirname "$0")/.."

PACKAGES="podman uidmap slirp4netns fuse-overlayfs runc qemu-system-x86 pciutils kmod"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install:$missing (this script knows only apt-get)" >&2
    exit 1
  fi
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing$missing" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

npm ci --no-audit --no-fund
