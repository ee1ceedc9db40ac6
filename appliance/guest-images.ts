// What a build of ai-way carries (build/images/images.json, written by the build): the appliance
// images Podman runs, and the guests built around them for virtual machines and WSL, each with its
// files, their sums, and the upstream sources they were built from. Read by `ai-way images` and by
// the adapters that boot a guest. Pure.
import { z } from 'zod';
import type { ImageArch, ImageFlavor } from './image-policy.ts';

/** Where the build writes the list, relative to ai-way's folder (or the single executable's assets). */
export const CARRIED_IMAGES_FILE = 'build/images/images.json';

/** oci: the appliance's root as an image archive for Podman (no guest: it runs on the host's kernel);
 * wsl-rootfs: a guest for `wsl --import`; vm: a guest's kernel and initramfs. */
export const IMAGE_FORMATS = ['oci', 'wsl-rootfs', 'vm'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);

const carriedFile = z.object({
  role: z.enum(['image', 'rootfs', 'kernel', 'initramfs']),
  /** Relative to ai-way's folder, '/'-separated. */
  path: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256,
});

const source = z.object({
  /** What it is, in words: "Alpine Linux 3.20.3 mini root filesystem (x86_64)". */
  what: z.string().min(1),
  /** Where it comes from: a URL, an image reference, or a Debian package file. */
  from: z.string().min(1),
  /** The sum it is pinned by (sha512:..., sha256:... or an image digest), or null when it is only recorded. */
  pinned: z.string().nullable(),
  /** The sum of the bytes used. */
  sha256,
});

const carriedImage = z.object({
  appliance: z.string().min(1),
  flavor: z.enum(['alpine', 'fedora']),
  arch: z.enum(['x86_64', 'aarch64']),
  format: z.enum(IMAGE_FORMATS),
  files: z.array(carriedFile).min(1),
  sources: z.array(source),
  /** For a vm: what its init expects (packaging/guest/init.sh). */
  boot: z
    .object({
      kernelRelease: z.string().min(1),
      /** The name of the virtio-serial port the agent's channel is on. */
      channelPort: z.string().min(1),
      modules: z.array(z.string()),
    })
    .optional(),
});

export const carriedImagesSchema = z.object({
  images: z.array(carriedImage),
  /** What the build could not make here, and why. */
  skipped: z.array(z.object({ flavor: z.enum(['alpine', 'fedora']), arch: z.enum(['x86_64', 'aarch64']), reason: z.string().min(1) })),
});

export type CarriedImages = z.infer<typeof carriedImagesSchema>;
export type CarriedImage = z.infer<typeof carriedImage>;
export type CarriedFile = z.infer<typeof carriedFile>;

export interface GuestPick {
  image: CarriedImage | null;
  /** Said to the person when the guest is not the flavour the policy chose. */
  warning: string | null;
}

const FLAVOR_NAMES: Record<ImageFlavor, string> = { alpine: 'Alpine', fedora: 'Fedora' };

/**
 * The guest to boot for an appliance: the policy's flavour when this build carries it, else the
 * other flavour, with a warning that says why (the build's own reason when it skipped the guest).
 */
export function pickGuest(carried: CarriedImages, appliance: string, flavor: ImageFlavor, arch: ImageArch, format: ImageFormat): GuestPick {
  const find = (f: ImageFlavor) =>
    carried.images.find((i) => i.appliance === appliance && i.flavor === f && i.arch === arch && i.format === format);
  const exact = find(flavor);
  if (exact) return { image: exact, warning: null };
  const other: ImageFlavor = flavor === 'fedora' ? 'alpine' : 'fedora';
  const why = carried.skipped.find((s) => s.flavor === flavor && s.arch === arch)?.reason ?? 'it was not built';
  const fallback = find(other);
  const missing = `this ai-way carries no ${FLAVOR_NAMES[flavor]} ${arch} guest for ${appliance} (${why})`;
  return fallback
    ? { image: fallback, warning: `${missing}; the ${FLAVOR_NAMES[other]} guest is used` }
    : { image: null, warning: `${missing}, and no ${FLAVOR_NAMES[other]} guest either` };
}
