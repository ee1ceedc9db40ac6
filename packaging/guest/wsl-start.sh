#!/usr/lib/ai-way/busybox sh
# What the agent needs in a WSL2 distribution before it starts, where no init of ours runs: WSL's
# own init has mounted /proc, /sys, /dev and the cgroup2 hierarchy (it mounts no tmpfs for us and
# shares the utility VM's network). This makes the workspace a sized tmpfs and the appliance's root
# read-only, then becomes the agent, whose standard input and output are wsl.exe's: the channel.
#   wsl-start.sh WORKSPACE_BYTES WORKSPACE_EXEC(0|1) AGENT [AGENT'S ARGUMENTS...]
bb=/usr/lib/ai-way/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
fail() {
  echo "ai-way-wsl-start: $*" >&2
  exit 1
}
case "$1$2" in '' | *[!0-9]*) fail "the workspace's size and whether it may run programs must be numbers" ;; esac
options=size=$1,mode=0700,nodev,nosuid
[ "$2" = 1 ] || options=$options,noexec
shift 2
$bb mount -t tmpfs -o "$options" workspace /workspace || fail "cannot mount the workspace"
$bb mount --bind /appliance /appliance && $bb mount -o remount,bind,ro /appliance || fail "cannot make /appliance read-only"
# An older WSL mounts cgroup v1 beside v2; the agent limits the app only through a cgroup2 mount.
$bb grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts || $bb mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null ||
  echo "ai-way-wsl-start: no cgroup2 hierarchy: the app's limits are not enforced" >&2
exec $bb env -i PATH="$PATH" "$@"
