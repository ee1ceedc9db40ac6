// The lima.yaml of a session's instance, from small pure functions. Lima boots its own cloud image
// (it needs cloud-init to set up its SSH and user); what makes it ai-way's guest is copied in after
// (the guest's root filesystem, unpacked into memory inside). Everything Lima would share with the
// host is off: no folder mounted, no port forwarded, no containerd, no SSH keys or agent of the
// person's. Lima keeps a user-mode network for its own SSH; the agent's sandbox keeps the app off it.
import type { ImageArch } from '../../appliance/image-policy.ts';
import { toYaml, type YamlData } from '../../appliance/yaml.ts';

export type VmType = 'vz' | 'qemu';

const MiB = 1024 ** 2;

/** A SHA-512 in Lima's form, written in two halves to keep lines short. */
const sha512 = (...halves: string[]): string => `sha512:${halves.join('')}`;

/**
 * Alpine's cloud image (nocloud, UEFI, cloud-init) as Lima's own template pins it
 * (templates/_images/alpine-3.23.yaml in lima-vm/lima at 183a60d7): the smallest guest Lima can
 * boot and reach by SSH. Our own guest has no cloud-init and no SSH server, so Lima cannot boot it.
 */
export const LIMA_IMAGES: Readonly<Record<ImageArch, { location: string; digest: string }>> = {
  x86_64: {
    location: 'https://dl-cdn.alpinelinux.org/alpine/v3.23/releases/cloud/nocloud_alpine-3.23.4-x86_64-uefi-cloudinit-r0.qcow2',
    digest: sha512(
      '849196e26640b33fb1f106d46cebdf341c715f7f49363564eacece8097464b6a',
      'f7041618e94c4eb1a006394663252a86c0fb3158fee5d0ffb094899730679a71',
    ),
  },
  aarch64: {
    location: 'https://dl-cdn.alpinelinux.org/alpine/v3.23/releases/cloud/nocloud_alpine-3.23.4-aarch64-uefi-cloudinit-r0.qcow2',
    digest: sha512(
      '737b0eb365944ffcf6da477c059c105bbde222942fd5a8380c07db088365b18d',
      'bc60a0f2824ea9a3904d57e194e0d05a7074302c3ebc104d0aecb6ddc6ffd91c',
    ),
  },
};

/** What the host says of itself: its processor's architecture and, on a Mac, the macOS version (sw_vers -productVersion). */
export interface LimaHost {
  arch: ImageArch | null;
  macos: string | null;
}

/**
 * Apple's Virtualization framework on Apple Silicon from macOS 13.5 (older ones cannot boot Linux
 * 6.2+), for the Mac's own architecture only; QEMU otherwise.
 */
export function vmTypeFor(host: LimaHost, guest: ImageArch): VmType {
  const [major = 0, minor = 0] = (host.macos ?? '').split('.').map(Number);
  const recent = major > 13 || (major === 13 && minor >= 5);
  return host.arch === 'aarch64' && guest === 'aarch64' && recent ? 'vz' : 'qemu';
}

export interface LimaSettings {
  vmType: VmType;
  arch: ImageArch;
  cpus: number;
  /** The app's memory; the guest's own system and the unpacked guest (in memory) are added. */
  appBytes: number;
  guestBytes: number;
}

/** What the Alpine guest itself needs beside the app (Lima's own agent runs nowhere: plain mode). */
export const GUEST_OVERHEAD_BYTES = 256 * MiB;

/** The configuration, as data. */
export function limaConfig(s: LimaSettings): YamlData {
  return {
    vmType: s.vmType,
    arch: s.arch,
    images: [{ ...LIMA_IMAGES[s.arch], arch: s.arch }],
    cpus: Math.max(1, Math.ceil(s.cpus)),
    memory: `${Math.ceil((s.appBytes + GUEST_OVERHEAD_BYTES + s.guestBytes) / MiB)}MiB`,
    disk: '2GiB',
    // Plain mode: no guest agent, no mounts, no port forwarding, no containerd; each is also said outright.
    plain: true,
    mounts: [],
    containerd: { system: false, user: false },
    // Lima forwards every port a guest listens on unless a rule says not to.
    portForwards: [{ guestIP: '0.0.0.0', proto: 'any', guestPortRange: [1, 65535], ignore: true }],
    ssh: { loadDotSSHPubKeys: false, forwardAgent: false, forwardX11: false, forwardX11Trusted: false },
    propagateProxyEnv: false,
    upgradePackages: false,
    video: { display: 'none' },
  };
}

export const limaYaml = (s: LimaSettings): string => toYaml(limaConfig(s));
