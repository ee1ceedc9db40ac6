// limactl's command lines for a session, and the scripts its guest runs, from small pure functions.
// Every call runs with ai-way's own LIMA_HOME, so the person's own instances are never seen or touched.
// `limactl shell` hands its arguments to the guest's shell quoted one by one, and its stdin and stdout
// to ssh without a terminal (none is asked for and stdout is a pipe): a byte-exact channel.

/** Where the guest's root filesystem is unpacked inside Lima's guest: a tmpfs of its own under /run (memory only). */
export const GUEST_ROOT = '/run/ai-way';
/** The workspace's mount point, the same path inside the app's root (the agent binds it there). */
export const WORKSPACE = '/workspace';

export interface LimaCall {
  argv: string[];
  env: Record<string, string>;
}

const call = (limactl: string, limaHome: string, args: string[]): LimaCall => ({ argv: [limactl, ...args], env: { LIMA_HOME: limaHome } });

/** No editor, no question: --tty=false. */
export const createCall = (limactl: string, home: string, name: string, yaml: string): LimaCall =>
  call(limactl, home, ['create', '--tty=false', `--name=${name}`, yaml]);
export const startCall = (limactl: string, home: string, name: string): LimaCall => call(limactl, home, ['start', '--tty=false', name]);
export const stopCall = (limactl: string, home: string, name: string): LimaCall => call(limactl, home, ['stop', '--force', name]);
export const deleteCall = (limactl: string, home: string, name: string): LimaCall => call(limactl, home, ['delete', '--force', name]);
export const listCall = (limactl: string, home: string): LimaCall => call(limactl, home, ['list', '--json']);

/** A command run as root in the guest, from its root folder; `sudo -n` never waits for a password nobody could type. */
export const shellCall = (limactl: string, home: string, name: string, script: string): LimaCall =>
  call(limactl, home, ['shell', '--workdir', '/', name, 'sudo', '-n', '/bin/sh', '-c', script]);

/** Unpacks the guest's root filesystem (the tarball on stdin) into a tmpfs of its own: nothing of it on the guest's disk. */
export function unpackScript(guestBytes: number | string): string {
  // Twice the archive: tar's headers make the archive larger than what it unpacks to, never smaller by half.
  const size = typeof guestBytes === 'string' ? guestBytes : Math.max(16 * 1024 ** 2, guestBytes * 2);
  return [
    'set -eu',
    `mkdir -p ${GUEST_ROOT}`,
    `mount -t tmpfs -o size=${size},mode=0700 ai-way ${GUEST_ROOT}`,
    `tar -x -C ${GUEST_ROOT}`,
    'uname -r',
  ].join('\n');
}

export interface AgentSettings {
  shmBytes: number;
  memBytes: number;
  pids: number;
  cpus: number;
  /** What runs the guest (Lima's vmType): the isolation report passes it on as told. */
  accelerator: string;
}

/**
 * Runs the agent on the channel (this shell's stdin and stdout), as the guest's init does in a QEMU
 * guest: the appliance's settings from the guest's own file, the workspace a sized tmpfs, the
 * appliance's root read-only, the limits the Plan gives.
 */
export function agentScript(s: AgentSettings): string {
  const g = GUEST_ROOT;
  return [
    'set -eu',
    `. ${g}/etc/ai-way/settings.sh`,
    `options=size=$workspace_bytes,mode=0700,nodev,nosuid`,
    '[ "$workspace_exec" = 1 ] || options=$options,noexec',
    `mkdir -p ${WORKSPACE}`,
    `mount -t tmpfs -o "$options" workspace ${WORKSPACE}`,
    `mount --bind ${g}/appliance ${g}/appliance`,
    `mount -o remount,bind,ro ${g}/appliance`,
    `exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin ${g}/sbin/ai-way-agent --root ${g}/appliance --workspace ${WORKSPACE}` +
      ` --shm-size ${s.shmBytes} --memory ${s.memBytes} --pids ${s.pids} --cpus ${Number(s.cpus.toFixed(3))}` +
      ` --accelerator ${s.accelerator} -- "$@"`,
  ].join('\n');
}
