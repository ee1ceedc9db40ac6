#!/usr/lib/ai-way/busybox sh
# The guest's init: PID 1 of a virtual machine booted with this initramfs. It loads the virtio
# modules, mounts what the agent needs, and runs the agent with the virtio-serial port named in
# /etc/ai-way/settings.sh ("ai-way") as its stdin and stdout (the channel) and the appliance's
# root, /appliance, read-only, as the app's root. When the agent exits (the channel's end of file:
# the launcher went away) or anything fails, the machine powers off.
#
# Kernel parameters, written without a dot so the kernel hands them to init as variables:
#   aiway_workspace=BYTES  the workspace's size (default: the appliance's, /etc/ai-way/settings.sh)
#   aiway_shm=BYTES        the size of the app's /dev/shm (default: the agent's)
#   aiway_memory=BYTES     limits the guest enforces on the app itself, in a cgroup of its own (no
#   aiway_pids=N           engine here does): its memory, its number of processes, and its share
#   aiway_cpus=N[.NNN]     of the processors; each left out is not limited
#   aiway_accel=NAME       what the launcher runs this guest on (tcg, kvm, hvf, whpx): the app's
#                          isolation report passes it on as told, not measured
bb=/usr/lib/ai-way/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "ai-way-init: $*" >&2; }
off() {
  say "$*; powering off"
  $bb poweroff -f
  exit 1
}

# pivot_root (the agent's way into the app's root) cannot leave the initramfs's own root, which has
# no mount below it: bind that root over itself first, and start again inside.
if [ "$aiway_stage" != inside ]; then
  $bb mount --bind / /mnt && cd /mnt && $bb mount --move . / || off "cannot bind the root over itself"
  export aiway_stage=inside
  exec $bb chroot . /init
fi

$bb mount -t proc proc /proc && $bb mount -t sysfs sysfs /sys && $bb mount -t devtmpfs devtmpfs /dev || off "cannot mount /proc, /sys, /dev"
$bb mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null || say "no cgroup2 in this kernel"
$bb hostname ai-way
while read -r module; do
  $bb insmod "/$module" || off "cannot load $module"
done </etc/ai-way/modules

# The appliance's settings: channel_port, workspace_bytes, workspace_exec, and its command as "$@".
. /etc/ai-way/settings.sh
workspace=${aiway_workspace:-$workspace_bytes}
case "$workspace$aiway_shm$aiway_memory$aiway_pids" in
*[!0-9]*) off "aiway_workspace, aiway_shm, aiway_memory and aiway_pids must be numbers" ;;
esac
case "$aiway_cpus" in *[!0-9.]*) off "aiway_cpus must be a number of processors" ;; esac
options=size=$workspace,mode=0700,nodev,nosuid
[ "$workspace_exec" = 1 ] || options=$options,noexec
$bb mount -t tmpfs -o "$options" workspace /workspace || off "cannot mount the workspace"
$bb mount --bind /appliance /appliance && $bb mount -o remount,bind,ro /appliance || off "cannot make /appliance read-only"

# The port appears when virtio_console has probed the device; udev is not here to name it.
port=
tries=0
while [ -z "$port" ]; do
  for name in /sys/class/virtio-ports/*/name; do
    [ "$($bb cat "$name" 2>/dev/null)" = "$channel_port" ] && port=${name%/name} && port=/dev/${port##*/}
  done
  [ -c "$port" ] || port=
  tries=$((tries + 1))
  [ -n "$port" ] || [ "$tries" -lt 100 ] || off "no virtio-serial port named $channel_port"
  [ -n "$port" ] || $bb sleep 0.05
done

# The guest's own interfaces, for the log: the app's network namespace holds none of them.
say "network interfaces: $(cd /sys/class/net && echo *)"

$bb env -i PATH="$PATH" /sbin/ai-way-agent --root /appliance --workspace /workspace ${aiway_shm:+--shm-size "$aiway_shm"} \
  ${aiway_memory:+--memory "$aiway_memory"} ${aiway_pids:+--pids "$aiway_pids"} ${aiway_cpus:+--cpus "$aiway_cpus"} \
  ${aiway_accel:+--accelerator "$aiway_accel"} -- "$@" <>"$port" >&0
off "the agent exited ($?)"
