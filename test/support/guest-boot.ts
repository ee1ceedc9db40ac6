// Boots a guest's vm image (kernel and initramfs) under QEMU with software emulation (TCG), no
// network and no display, the agent's channel on a virtio-serial port bound to a unix socket the
// launcher's own channel code talks through. Small on purpose: just enough to prove that what the
// build makes boots, answers and powers off; the QEMU adapter is platforms/qemu.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { CARRIED_IMAGES_FILE, type CarriedImage, type CarriedImages, carriedImagesSchema } from '../../appliance/guest-images.ts';
import type { ImageArch, ImageFlavor } from '../../appliance/image-policy.ts';
import { AgentChannel } from '../../launcher/session/channel.ts';
import { cpuArgs, machineArgs, qemuProgram } from '../../platforms/qemu/command.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

// The machine and processor as the QEMU adapter gives them (emulated aarch64's pointer authentication is the cheap one).
const MACHINES: Record<ImageArch, { qemu: string; machine: string[]; console: string }> = {
  x86_64: { qemu: qemuProgram('x86_64'), machine: machineArgs('x86_64'), console: 'ttyS0' },
  aarch64: { qemu: qemuProgram('aarch64'), machine: [...machineArgs('aarch64'), ...cpuArgs('aarch64', 'tcg')], console: 'ttyAMA0' },
};

export interface BootOptions {
  /** Leave out the channel (the init must then power off by itself). */
  noChannel?: boolean;
  /** More kernel parameters (aiway_workspace=BYTES, ...). */
  append?: string;
  memory?: string;
  /** A user-mode network interface (virtio-net, no host forwards), as a guest on WSL2 or Lima has one. */
  nic?: boolean;
}

/** The QEMU command line for a boot set, the channel's chardev a client of `socket`. */
export function qemuCommand(arch: ImageArch, kernel: string, initramfs: string, socket: string, o: BootOptions = {}): string[] {
  const m = MACHINES[arch];
  return [
    m.qemu,
    ...m.machine,
    '-accel',
    'tcg',
    '-m',
    o.memory ?? '256M',
    '-nodefaults',
    '-no-user-config',
    '-display',
    'none',
    '-nic',
    o.nic ? 'user,model=virtio-net-pci' : 'none',
    '-no-reboot',
    '-serial',
    'stdio',
    '-kernel',
    kernel,
    '-initrd',
    initramfs,
    '-append',
    `console=${m.console} quiet panic=-1${o.append ? ` ${o.append}` : ''}`,
    ...(o.noChannel
      ? []
      : [
          '-chardev',
          `socket,id=channel,path=${socket}`,
          '-device',
          'virtio-serial-pci',
          '-device',
          'virtserialport,chardev=channel,name=ai-way',
        ]),
  ];
}

/** The checkout's list of what its build carries (empty when it was not built). */
function carried(root: string): CarriedImages {
  const file = path.join(root, CARRIED_IMAGES_FILE);
  return existsSync(file) ? carriedImagesSchema.parse(JSON.parse(readFileSync(file, 'utf8'))) : { images: [], skipped: [] };
}

/** An appliance's vm image (the selftest's unless named) from the checkout's build (its files' paths absolute), or null. */
export function vmImage(arch: ImageArch, flavor: ImageFlavor = 'alpine', root = ROOT, appliance = 'selftest'): CarriedImage | null {
  const image = carried(root).images.find((i) => i.format === 'vm' && i.arch === arch && i.flavor === flavor && i.appliance === appliance);
  return image ? { ...image, files: image.files.map((f) => ({ ...f, path: path.join(root, f.path) })) } : null;
}

/** Why the build has no selftest guest root filesystem (`wsl-rootfs`) of this architecture (the build's own reason), or null. */
export function noGuestRoot(arch: ImageArch, root = ROOT): string | null {
  const list = carried(root);
  if (list.images.some((i) => i.format === 'wsl-rootfs' && i.arch === arch && i.flavor === 'alpine' && i.appliance === 'selftest'))
    return null;
  const skipped = list.skipped.find((s) => s.flavor === 'alpine' && s.arch === arch);
  const why = skipped?.reason ?? `${CARRIED_IMAGES_FILE} does not list one (npm run build)`;
  return `the build carries no alpine ${arch} guest root filesystem: ${why}`;
}

/** Why that vm cannot be booted here (the build's own reason when it skipped it), or null. */
export function cannotBoot(arch: ImageArch, flavor: ImageFlavor = 'alpine', root = ROOT, appliance = 'selftest'): string | null {
  const qemu = MACHINES[arch].qemu;
  if (spawnSync(qemu, ['--version'], { stdio: 'ignore' }).error) return `${qemu} is not installed (npm run setup)`;
  if (vmImage(arch, flavor, root, appliance)) return null;
  const skipped = carried(root).skipped.find((s) => s.flavor === flavor && s.arch === arch);
  const why = skipped?.reason ?? `${CARRIED_IMAGES_FILE} does not list one (npm run build)`;
  return `the build carries no ${appliance} ${flavor} ${arch} vm: ${why}`;
}

export interface BootedVm {
  command: string[];
  /** The channel, once QEMU has connected to the socket. */
  channel: Promise<AgentChannel>;
  /** The end of the channel's socket: closing it is the launcher going away. */
  hangUp(): void;
  /** Resolves when QEMU exits, with its exit code and the milliseconds since it was started. */
  exited: Promise<{ code: number | null; ms: number }>;
  /** What the guest wrote on its console so far. */
  console(): string;
  startedAt: number;
  kill(): void;
}

/** Boots `image` (as vmImage gives it: its files' paths absolute). */
export async function bootVm(image: CarriedImage, o: BootOptions = {}): Promise<BootedVm> {
  const file = (role: string) => image.files.find((f) => f.role === role)!.path;
  const socket = path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-way-vm-')), 'channel.sock');
  const command = qemuCommand(image.arch, file('kernel'), file('initramfs'), socket, o);
  let conn: net.Socket | null = null;
  let connected!: (c: AgentChannel) => void;
  const channel = new Promise<AgentChannel>((resolve) => (connected = resolve));
  const server = net.createServer((c) => {
    conn = c;
    server.close();
    connected(new AgentChannel(c, c, () => undefined));
  });
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  const startedAt = performance.now();
  const qemu = spawn(command[0]!, command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  qemu.stdout.on('data', (d: Buffer) => (log += d.toString()));
  qemu.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<{ code: number | null; ms: number }>((resolve) =>
    qemu.on('exit', (code) => resolve({ code, ms: performance.now() - startedAt })),
  );
  return {
    command,
    channel,
    hangUp: () => (conn as net.Socket | null)?.destroy(),
    exited,
    console: () => log,
    startedAt,
    kill: () => qemu.kill('SIGKILL'),
  };
}
