#!/bin/bash
# A STAND-IN for limactl, Lima's command-line tool, for tests on a Linux machine where no Mac is.
# It keeps real state (each instance a folder in $LIMA_HOME: its lima.yaml, its status, and its
# "disk": the build's Alpine guest root filesystem unpacked) and prints only lines recorded from
# real limactl runs (limactl-stand-in.lines; each checked against test/contract/fixtures/
# limactl-session by a contract test), with the instance's own name, folder and image put in.
# `shell` runs the command as Lima's does (the arguments quoted one by one for the guest's shell,
# stdio passed through untouched) in the guest root with Linux mount, PID and UTS namespaces
# (as root: unshare and chroot), keeping the host's network as Lima's guest keeps its own.
# `sudo -n` is dropped: the namespace is root already. Not Lima: no virtual machine boots.
set -u
home=${LIMA_HOME:?the stand-in needs LIMA_HOME}
here=$(cd "$(dirname "$0")" && pwd)
lines="$here/limactl-stand-in.lines"

say() { # say KEY [NAME DIR]: the recorded lines of KEY, to stderr, with this instance put in
  local name=${2:-} dir=${3:-} arch='' digest='' location='' vmtype=''
  if [ -n "$dir" ] && [ -f "$dir/lima.yaml" ]; then
    arch=$(sed -n 's/^arch: *//p' "$dir/lima.yaml")
    digest=$(sed -n 's/^ *digest: *"*\([^"]*\)"*$/\1/p' "$dir/lima.yaml" | head -1)
    location=$(sed -n 's/^ *- *location: *"*\([^"]*\)"*$/\1/p' "$dir/lima.yaml" | head -1)
    vmtype=$(sed -n 's/^vmType: *//p' "$dir/lima.yaml")
  fi
  grep -P "^$1\t" "$lines" | cut -f2- | while IFS= read -r l; do
    l=${l//\{NAME\}/$name}; l=${l//\{DIR\}/$dir}; l=${l//\{ARCH\}/$arch}
    l=${l//\{DIGEST\}/$digest}; l=${l//\{LOCATION\}/$location}; l=${l//\{VMTYPE\}/$vmtype}
    printf '%s\n' "$l" >&2
  done
}
field() { sed -n "s/^$1: *//p" "$2/lima.yaml"; } # a top-level field of an instance's lima.yaml
quote() { printf "'%s'" "${1//\'/\'\"\'\"\'}"; } # as Lima's shellescape.Quote
# The "virtual machine": namespaces held by a process that sleeps (its PID namespace's init), the
# guest root made their root (pivot_root: a chrooted process may not make user namespaces, and the
# agent's sandbox does), /proc, /sys, /dev, and a fresh /run and /tmp in memory.
boot() {
  rm -f "$1/stand-in.ready"
  STAND_IN_ROOT="$1/disk" STAND_IN_HOST="lima-${2:0:50}" STAND_IN_READY="$1/stand-in.ready" setsid \
    unshare --mount --pid --uts --fork --kill-child -- /bin/sh -c '
    r=$STAND_IN_ROOT
    mount --make-rprivate / && mount --bind "$r" "$r" && mount -t proc proc "$r/proc" &&
      mount --rbind /sys "$r/sys" && mount --rbind /dev "$r/dev" &&
      mount -t tmpfs run "$r/run" && mount -t tmpfs tmp "$r/tmp" && hostname "$STAND_IN_HOST" &&
      mkdir -p "$r/.stand-in-old" && cd "$r" && pivot_root . .stand-in-old || exit 1
    exec /bin/sh -c '\''
      : >"/.stand-in-old$STAND_IN_READY" && umount -l /.stand-in-old && rmdir /.stand-in-old || exit 1
      while :; do sleep 3600; done'\''' </dev/null >/dev/null 2>&1 &
  echo $! >"$1/stand-in.vm"
  for _ in $(seq 100); do
    [ -e "$1/stand-in.ready" ] && break
    sleep 0.05
  done
  [ -e "$1/stand-in.ready" ] || return 1
  cat "/proc/$(cat "$1/stand-in.vm")/task/$(cat "$1/stand-in.vm")/children" | cut -d' ' -f1 >"$1/stand-in.init"
}
kill_shells() { [ -f "$1/stand-in.vm" ] && kill -KILL "$(cat "$1/stand-in.vm")" 2>/dev/null; rm -f "$1/stand-in.vm" "$1/stand-in.init"; }

cmd=${1:-}
shift || true
case "$cmd" in
--version) grep -P '^version\t' "$lines" | cut -f2- ;;
create)
  name='' yaml=''
  for a in "$@"; do case "$a" in --name=*) name=${a#--name=} ;; --*) ;; *) yaml=$a ;; esac; done
  dir="$home/$name"
  if [ -e "$dir" ]; then say exists "$name" "$dir"; exit 1; fi
  mkdir -p "$dir/disk" && cp "$yaml" "$dir/lima.yaml"
  arch=$(sed -n 's/^arch: *//p' "$dir/lima.yaml")
  rootfs=$(node -e 'const j = require(process.argv[1]);
    process.stdout.write(j.images.find((x) => x.format === "wsl-rootfs" && x.arch === process.argv[2]).files[0].path)' \
    "$here/../../build/images/images.json" "$arch") || exit 1
  tar -x -C "$dir/disk" -f "$here/../../$rootfs" || exit 1
  echo Stopped >"$dir/stand-in.status"
  say create "$name" "$dir"
  ;;
start)
  name=${!#}
  dir="$home/$name"
  [ -f "$dir/lima.yaml" ] || { say missing "$name"; exit 1; }
  say start "$name" "$dir"
  [ "$(sed -n 's/^vmType: *//p' "$dir/lima.yaml")" = vz ] && say start-vz "$name" "$dir" || say start-qemu "$name" "$dir"
  boot "$dir" "$name" || exit 1
  say ready "$name" "$dir"
  echo Running >"$dir/stand-in.status"
  ;;
stop)
  dir="$home/${!#}"
  kill_shells "$dir"
  [ -d "$dir" ] && echo Stopped >"$dir/stand-in.status"
  ;;
delete)
  name=${!#}
  dir="$home/$name"
  [ -d "$dir" ] || exit 0
  kill_shells "$dir"
  say delete "$name" "$dir"
  rm -rf "$dir"
  ;;
list)
  found=0
  for dir in "$home"/*/; do
    [ -f "$dir/lima.yaml" ] || continue
    found=1
    dir=${dir%/}
    printf '{"name":"%s","status":"%s","dir":"%s","vmType":"%s","arch":"%s","cpus":%s}\n' "${dir##*/}" "$(cat "$dir/stand-in.status")" \
      "$dir" "$(field vmType "$dir")" "$(field arch "$dir")" "$(field cpus "$dir")"
  done
  [ $found = 1 ] || say none
  ;;
shell)
  [ "${1:-}" = --workdir ] && { workdir=$2; shift 2; } || workdir=/
  name=$1
  shift
  dir="$home/$name"
  [ "$(cat "$dir/stand-in.status" 2>/dev/null)" = Running ] || exit 1
  [ "${1:-}" = sudo ] && shift && [ "${1:-}" = -n ] && shift
  script="cd $(quote "$workdir") || exit 1 ; exec /bin/sh -c $(quote "$(for a in "$@"; do quote "$a"; printf ' '; done)")"
  # Entering the mount namespace takes its root as this process's root: the guest's.
  exec nsenter -t "$(cat "$dir/stand-in.init")" -m -p -u -- /bin/sh -c "$script"
  ;;
*) exit 1 ;;
esac
