#!/bin/sh
# Installs what ai-way's tests and its Linux runtime need on Debian/Ubuntu, then the npm packages.
# Idempotent: installs only what is missing. Needs root (or sudo) only when something is missing.
set -eu
cd "$(dirname "$0")/.."

# podman & co: the Linux runtime; musl-tools, gcc-aarch64-linux-gnu, busybox-static: the agent and
# the selftest image; qemu-system-x86: the microVM mode; pciutils, kmod: what the probe records.
PACKAGES="podman uidmap slirp4netns fuse-overlayfs runc qemu-system-x86 pciutils kmod
  musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross busybox-static"

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

# Rootless Podman is what ai-way uses; as root, the tests run it as this unprivileged user.
TEST_USER=aiway-test
if [ "$(id -u)" -eq 0 ] && ! id "$TEST_USER" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/sh "$TEST_USER"
  grep -q "^$TEST_USER:" /etc/subuid || echo "$TEST_USER:100000:65536" >> /etc/subuid
  grep -q "^$TEST_USER:" /etc/subgid || echo "$TEST_USER:100000:65536" >> /etc/subgid
fi

npm ci --no-audit --no-fund
