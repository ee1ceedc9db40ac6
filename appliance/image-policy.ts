// Which guest image to boot, by hardware. Rows are checked top to bottom; the first match wins.
import type { HostFacts } from './host-facts.ts';
import { KNOWN_VENDORS, vendorTraits } from './gpu-vendors.ts';

export type ImageFlavor = 'fedora' | 'alpine';
export type ImageArch = 'x86_64' | 'aarch64';

export interface ImageChoice {
  flavor: ImageFlavor;
  arch: ImageArch;
  reason: string;
  /** Which rule of the policy decided, or "override". */
  rule: string;
}

const GiB = 1024 ** 3;
const SMALL_MEMORY_BYTES = 16 * GiB;

interface Rule {
  id: string;
  matches(f: HostFacts): boolean;
  flavor: ImageFlavor;
  arch?: ImageArch;
  reason: string;
}

const usable = (f: HostFacts, vendor: string) => f.gpus.some((g) => g.vendor === vendor && g.usable);
const gpuHost = (f: HostFacts) => f.host.platform !== 'macos';

// A usable GPU whose maker asks for an image decides first (see GPU_VENDORS), in the table's order.
const vendorRules: Rule[] = KNOWN_VENDORS.flatMap((v) => {
  const image = vendorTraits(v).image;
  return image ? [{ id: v, matches: (f: HostFacts) => gpuHost(f) && usable(f, v), flavor: image.flavor, reason: image.reason }] : [];
});

export const IMAGE_RULES: readonly Rule[] = [
  ...vendorRules,
  {
    id: 'apple-silicon',
    matches: (f) => f.host.platform === 'macos' && f.host.arch === 'aarch64',
    flavor: 'alpine',
    arch: 'aarch64',
    reason: 'Apple Silicon: a light, fast-booting image (no GPU path into a Linux guest)',
  },
  {
    id: 'intel-mac',
    matches: (f) => f.host.platform === 'macos' && f.host.arch === 'x86_64',
    flavor: 'alpine',
    arch: 'x86_64',
    reason: 'Intel Mac: minimal overhead for inference on the processor',
  },
  {
    id: 'no-gpu',
    matches: (f) => !f.gpus.some((g) => g.usable),
    flavor: 'alpine',
    reason: 'no usable GPU: a small image that runs on the processor boots fastest',
  },
  {
    id: 'small-memory',
    matches: (f) => f.host.memBytes !== null && f.host.memBytes < SMALL_MEMORY_BYTES,
    flavor: 'alpine',
    reason: 'less than 16 GiB of memory: the memory-efficient image',
  },
  { id: 'default', matches: () => true, flavor: 'fedora', reason: 'broadest compatibility' },
];

export function chooseImage(f: HostFacts, override: ImageFlavor | 'auto' = 'auto'): ImageChoice {
  const arch: ImageArch = f.host.arch ?? 'x86_64';
  if (override !== 'auto') return { flavor: override, arch, rule: 'override', reason: `chosen by the user (--image ${override})` };
  const rule = IMAGE_RULES.find((r) => r.matches(f))!;
  return { flavor: rule.flavor, arch: rule.arch ?? arch, rule: rule.id, reason: rule.reason };
}
