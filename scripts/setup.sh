#!/bin/sh
# Installs what ai-way's tests and its Linux runtime need on Debian/Ubuntu, then the npm packages.
# Idempotent: installs only what is missing. Needs root (or sudo) only when something is missing.
set -eu
cd "$(dirname "$0")/.."

# podman & co: the Linux runtime; musl-tools, gcc-aarch64-linux-gnu, busybox-static: the agent and
# the selftest image; qemu-system-x86, qemu-system-arm: the virtual machines (x86_64 and aarch64
# guests); pciutils, kmod: what the probe records.
PACKAGES="podman uidmap slirp4netns fuse-overlayfs runc qemu-system-x86 qemu-system-arm pciutils kmod
  musl-tools gcc-aarch64-linux-gnu libc6-dev-arm64-cross busybox-static"

missing=""
for p in $PACKAGES; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
if [ -n "$missing" ]; then
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install:$missing (this script knows only apt-get)" >&2
    exit 1
  fi
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

# The images' Debian packages, downloaded (not installed) into build/debian, where the build takes
# what it needs from them: the cloud kernel of each architecture, busybox-static for each (the
# other architecture's selftest image; a guest whose distribution has no busybox), and the glibc
# runtime of the ai-way image (libc6, libstdc++6, libgcc-s1). A newer version replaces the one there.
if command -v apt-get >/dev/null 2>&1; then
  host=$(dpkg --print-architecture)
  other=arm64
  [ "$host" = arm64 ] && other=amd64
  if ! dpkg --print-foreign-architectures | grep -qx "$other"; then
    echo "setup: adding the $other architecture to apt, for the $other guest's packages" >&2
    $SUDO dpkg --add-architecture "$other"
    $SUDO apt-get update -qq
  fi
  mkdir -p build/debian
  # the versioned package behind linux-image-cloud-ARCH, e.g. linux-image-6.1.0-57-cloud-arm64
  kernel() {
    apt-cache depends --no-recommends "linux-image-cloud-$1:$1" | sed -n 's/^ *Depends: \(linux-image-[^:]*\).*/\1/p' | head -n 1
  }
  # what to download, and the files it replaces
  for pair in "$(kernel amd64):amd64 linux-image-*-cloud-amd64_*_amd64.deb" \
    "$(kernel arm64):arm64 linux-image-*-cloud-arm64_*_arm64.deb" \
    "busybox-static:amd64 busybox-static_*_amd64.deb" "busybox-static:arm64 busybox-static_*_arm64.deb" \
    "libc6:amd64 libc6_*_amd64.deb" "libc6:arm64 libc6_*_arm64.deb" \
    "libstdc++6:amd64 libstdc++6_*_amd64.deb" "libstdc++6:arm64 libstdc++6_*_arm64.deb" \
    "libgcc-s1:amd64 libgcc-s1_*_amd64.deb" "libgcc-s1:arm64 libgcc-s1_*_arm64.deb"; do
    wanted=${pair%% *}
    file=$(apt-get download --print-uris "$wanted" 2>/dev/null | awk '{ print $2 }')
    if [ -z "$file" ]; then
      echo "setup: apt has no $wanted; what needs it will be skipped" >&2
      continue
    fi
    [ -f "build/debian/$file" ] && continue
    echo "setup: downloading $file" >&2
    (cd build/debian && rm -f ${pair#* } && apt-get download -qq -o APT::Sandbox::User=root "$wanted") ||
      echo "setup: could not download $wanted; what needs it will be skipped" >&2
  done
fi

npm ci --no-audit --no-fund
