#!/bin/sh
# Builds the static appliance agent (native/agent) for x86_64 with musl-gcc and, when the cross
# compiler is installed, for aarch64. Skips a target whose binary is newer than every source.
set -eu
cd "$(dirname "$0")/.."

SRC=native/agent
OUT=build/native
FLAGS="-static -Os -s -Wall -Wextra -Werror"
mkdir -p "$OUT"

# build TARGET COMPILER: compile unless the binary is up to date
build() {
  bin="$OUT/ai-way-agent-$1"
  if [ -f "$bin" ] && [ -z "$(find "$SRC" scripts/build-native.sh -newer "$bin" -print 2>/dev/null | head -n 1)" ]; then
    echo "build-native: $bin is up to date"
    return 0
  fi
  # shellcheck disable=SC2086 # FLAGS is a list of words
  "$2" $FLAGS -o "$bin.tmp" "$SRC"/*.c
  mv -f "$bin.tmp" "$bin"
  echo "build-native: built $bin ($(wc -c < "$bin" | tr -d ' ') bytes)"
}

if ! command -v musl-gcc >/dev/null 2>&1; then
  echo "build-native: musl-gcc not found; install musl-tools (apt-get install musl-tools)" >&2
  exit 1
fi
build x86_64 musl-gcc

if command -v aarch64-linux-gnu-gcc >/dev/null 2>&1; then
  build aarch64 aarch64-linux-gnu-gcc
else
  echo "build-native: aarch64-linux-gnu-gcc not found; skipping the aarch64 agent"
fi
