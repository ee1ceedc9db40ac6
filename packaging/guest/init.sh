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
#   aiway_model=BYTES      a model came as the read-only drive with serial ai-way-model, this long
bb=/usr/lib/ai-way/busybox
export PATH=/usr/sbin:/usr/bin:/sbin:/bin

say() { echo "ai-way-init: $*" >&2; }
off() {
  say "$*; powering off"
  $bb poweroff -f
  exit 1
}

# /dev/NAME of the sysfs attribute (a glob: /sys/class/virtio-ports/*/name) that reads $2, once it
# is a node of kind $3 (-c, -b): udev is not here to name it, so it waits for the driver's probe (5 s).
node_of() {
  tries=0
  while [ "$tries" -lt 100 ]; do
    for attr in $1; do
      [ "$($bb cat "$attr" 2>/dev/null)" = "$2" ] || continue
      node=${attr%/*} && node=/dev/${node##*/}
      [ "$3" "$node" ] && echo "$node" && return 0
    done
    tries=$((tries + 1))
    $bb sleep 0.05
  done
  return 1
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
case "$workspace$aiway_shm$aiway_memory$aiway_pids$aiway_model" in
*[!0-9]*) off "aiway_workspace, aiway_shm, aiway_memory, aiway_pids and aiway_model must be numbers" ;;
esac
case "$aiway_cpus" in *[!0-9.]*) off "aiway_cpus must be a number of processors" ;; esac
options=size=$workspace,mode=0700,nodev,nosuid
[ "$workspace_exec" = 1 ] || options=$options,noexec
$bb mount -t tmpfs -o "$options" workspace /workspace || off "cannot mount the workspace"
# The model's mount point is made while /appliance is still writable; the model is bound over it below.
[ -z "$aiway_model" ] || { $bb mkdir -p /appliance/model && $bb touch /appliance/model/model.gguf; } || off "cannot make /model/model.gguf"
$bb mount --bind /appliance /appliance && $bb mount -o remount,bind,ro /appliance || off "cannot make /appliance read-only"

# The model: a read-only virtio drive, found by its serial (no udev). The drive's node cannot be the
# app's file: a device node opens only on a mount without nodev, and a block device's size reads 0.
# So it is copied into a tmpfs of its own, exactly aiway_model bytes (the drive is rounded up to whole
# 512-byte sectors), made read-only, and its one file bound at /model/model.gguf (ro,nosuid,nodev,
# noexec: the isolation proof's "model" fact). The guest's memory holds it once (the launcher adds
# its size); the drive's cache is dropped after the copy.
if [ -n "$aiway_model" ]; then
  drive=$(node_of '/sys/block/*/serial' ai-way-model -b) || off "no drive holds the model"
  $bb mkdir -p /run/model && $bb mount -t tmpfs -o "size=$((aiway_model + 65536)),mode=0755,nodev,nosuid,noexec" model /run/model &&
    $bb head -c "$aiway_model" "$drive" >/run/model/model.gguf || off "cannot copy the model into memory"
  [ "$($bb stat -c %s /run/model/model.gguf)" = "$aiway_model" ] || off "the model's drive is shorter than the model"
  $bb chmod 0444 /run/model/model.gguf && $bb mount -o remount,ro /run/model || off "cannot make the model's copy read-only"
  echo 1 >/proc/sys/vm/drop_caches
  $bb mount --bind /run/model/model.gguf /appliance/model/model.gguf &&
    $bb mount -o remount,bind,ro,nosuid,nodev,noexec /appliance/model/model.gguf || off "cannot mount the model read-only"
fi

port=$(node_of '/sys/class/virtio-ports/*/name' "$channel_port" -c) || off "no virtio-serial port named $channel_port"

# The guest's own interfaces, for the log: the app's network namespace holds none of them.
say "network interfaces: $(cd /sys/class/net && echo *)"

$bb env -i PATH="$PATH" /sbin/ai-way-agent --root /appliance --workspace /workspace ${aiway_shm:+--shm-size "$aiway_shm"} \
  ${aiway_memory:+--memory "$aiway_memory"} ${aiway_pids:+--pids "$aiway_pids"} ${aiway_cpus:+--cpus "$aiway_cpus"} \
  ${aiway_accel:+--accelerator "$aiway_accel"} -- "$@" <>"$port" >&0
off "the agent exited ($?)"
