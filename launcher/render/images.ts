// What `ai-way images` shows: each image this ai-way carries, its files with their sizes and
// SHA-256, and what it was built from (with the sum it is pinned by); then what it does not carry, and why.
import type { CarriedImages } from '../../appliance/guest-images.ts';
import { formatBytes } from './doctor.ts';
import type { Style } from './style.ts';

const FORMAT_NAMES = { oci: 'image archive for Podman (no guest)', 'wsl-rootfs': 'WSL root filesystem', vm: 'virtual machine boot set' };
const title = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
const short = (sum: string) => (sum.length > 24 ? `${sum.slice(0, 23)}…` : sum);

/** `carried`, its file paths already resolved to where they are. */
export function renderImages(carried: CarriedImages, listedIn: string, s: Style): string {
  const out = [`Images this ai-way carries (${listedIn}):`, ''];
  for (const i of carried.images) {
    const bytes = i.files.reduce((n, f) => n + f.bytes, 0);
    out.push(`  ${s.bold(`${i.appliance}, ${title(i.flavor)} ${i.arch}, ${i.format}`)}: ${FORMAT_NAMES[i.format]}, ${formatBytes(bytes)}`);
    for (const f of i.files)
      out.push(`    ${f.role.padEnd(9)} ${f.path}`, `    ${''.padEnd(9)} ${s.dim(`${formatBytes(f.bytes)}, sha256 ${f.sha256}`)}`);
    for (const src of i.sources)
      out.push(`    from ${src.what}: ${src.from}${src.pinned ? s.dim(` (pinned by ${short(src.pinned)})`) : ''}`);
    out.push('');
  }
  if (!carried.images.length) out.push('  none', '');
  if (carried.skipped.length) {
    out.push('Not carried:');
    for (const k of carried.skipped) out.push(s.yellow(`  ${title(k.flavor)} ${k.arch}: ${k.reason}`));
    out.push('');
  }
  return `${out.join('\n')}`;
}
