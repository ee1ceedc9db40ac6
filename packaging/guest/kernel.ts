// A guest's kernel from Debian's cloud kernel package: the kernel image, and the modules the init
// loads (virtio), dependencies first.
import type { TarEntry } from '../../appliance/tar.ts';
import { type DebianSource, debFiles } from './debian.ts';
import { loadOrder, moduleName } from './kernel-modules.ts';

export interface GuestKernel {
  /** e.g. 6.1.0-57-cloud-amd64 */
  release: string;
  image: Uint8Array;
  /** The module files under lib/modules/RELEASE/, in load order. */
  modules: TarEntry[];
  source: DebianSource;
}

export function guestKernel(deb: string, wanted: readonly string[]): GuestKernel {
  const { files, source } = debFiles(
    deb,
    (p) => /^boot\/vmlinuz-/.test(p) || /^lib\/modules\/[^/]+\/(kernel\/.*\.ko|modules\.builtin)$/.test(p),
  );
  const images = [...files.keys()].filter((p) => p.startsWith('boot/vmlinuz-'));
  if (images.length !== 1) throw new Error(`${source.file} has ${images.length} kernel images in /boot, not one`);
  const release = images[0]!.slice('boot/vmlinuz-'.length);
  const base = `lib/modules/${release}/`;
  const byName = new Map<string, { path: string; data: Uint8Array }>();
  for (const [p, data] of files) if (p.startsWith(base) && p.endsWith('.ko')) byName.set(moduleName(p), { path: p, data });
  const builtinList = new TextDecoder().decode(files.get(`${base}modules.builtin`) ?? new Uint8Array());
  const builtin = new Set(builtinList.split('\n').filter(Boolean).map(moduleName));
  const order = loadOrder(wanted, new Map([...byName].map(([n, m]) => [n, m.data])), builtin);
  return {
    release,
    image: files.get(images[0]!)!,
    modules: order.map((n) => ({ path: byName.get(n)!.path, data: byName.get(n)!.data, mode: 0o644 })),
    source,
  };
}
