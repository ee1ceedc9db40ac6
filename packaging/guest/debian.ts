// Files out of Debian packages (.deb) that scripts/setup.sh downloads with `apt-get download` into
// build/debian: the guests' kernels, and busybox for the architecture the machine is not.
// `dpkg-deb --fsys-tarfile` gives the package's files as one tar (Node cannot decompress the xz inside).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type TarEntry, tarItems } from '../../appliance/tar.ts';
import { normalPath, treeFromTar } from './tree.ts';

/** Where scripts/setup.sh puts the packages it downloads, under the checkout. */
export const DEBIAN_FOLDER = path.join('build', 'debian');

const DEBIAN_ARCH = { x86_64: 'amd64', aarch64: 'arm64' } as const;
export const debianArch = (arch: keyof typeof DEBIAN_ARCH) => DEBIAN_ARCH[arch];

export interface DebianSource {
  package: string;
  version: string;
  file: string;
  sha256: string;
}

/** The one package file in `folder` whose name matches (name_version_arch.deb); null when there is none. */
export function findDeb(folder: string, name: RegExp, what: string): string | null {
  const found = existsSync(folder) ? readdirSync(folder).filter((f) => name.test(f)) : [];
  if (found.length > 1)
    throw new Error(`${folder} holds ${found.length} packages for ${what} (${found.join(', ')}): keep one (npm run setup)`);
  return found.length ? path.join(folder, found[0]!) : null;
}

/** The package's files whose paths `want` accepts (regular files; paths without a leading "./"). */
export function debFiles(deb: string, want: (p: string) => boolean): { files: Map<string, Uint8Array>; source: DebianSource } {
  const tar = dpkgDeb(['--fsys-tarfile', deb]);
  const files = new Map<string, Uint8Array>();
  for (const item of tarItems((o, n) => tar.subarray(o, o + n), tar.length, 100_000)) {
    const p = normalPath(item.path);
    if ((item.type === '0' || item.type === '\0') && want(p)) files.set(p, tar.subarray(item.offset, item.offset + item.size));
  }
  return { files, source: debSource(deb) };
}

/** The package's whole tree (files, folders and symbolic links, as it installs them). */
export function debTree(deb: string): { entries: TarEntry[]; source: DebianSource } {
  return { entries: treeFromTar(dpkgDeb(['--fsys-tarfile', deb]), path.basename(deb)), source: debSource(deb) };
}

function debSource(deb: string): DebianSource {
  const fields = dpkgDeb(['--field', deb, 'Package', 'Version']).toString('utf8');
  const field = (name: string) => new RegExp(`^${name}: (.*)$`, 'm').exec(fields)?.[1] ?? '';
  const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
  return { package: field('Package'), version: field('Version'), file: path.basename(deb), sha256 };
}

/** A package for `arch` by its name (name_version_arch.deb in build/debian), or null when it is not there. */
export function packageDeb(repo: string, name: string, arch: keyof typeof DEBIAN_ARCH): string | null {
  const a = debianArch(arch);
  const quoted = name.replace(/[.+]/g, (c) => `\\${c}`);
  return findDeb(path.join(repo, DEBIAN_FOLDER), new RegExp(`^${quoted}_[^_]+_${a}\\.deb$`), `${name} for ${arch}`);
}

/** Debian's kernel package of a kind ("cloud": linux-image-<abi>-cloud-<arch>) for `arch` in build/debian, or null. */
export function kernelDeb(repo: string, arch: keyof typeof DEBIAN_ARCH, kind: string): string | null {
  const a = debianArch(arch);
  return findDeb(
    path.join(repo, DEBIAN_FOLDER),
    new RegExp(`^linux-image-\\d[^_]*-${kind}-${a}_[^_]+_${a}\\.deb$`),
    `the ${arch} ${kind} kernel`,
  );
}

/** Debian's static busybox for `arch` (busybox-static_*_<arch>.deb in build/debian), or null when that package is not there. */
export function staticBusybox(repo: string, arch: keyof typeof DEBIAN_ARCH): { data: Uint8Array; source: DebianSource } | null {
  const deb = findDeb(path.join(repo, DEBIAN_FOLDER), new RegExp(`^busybox-static_[^_]+_${debianArch(arch)}\\.deb$`), `${arch} busybox`);
  if (!deb) return null;
  const { files, source } = debFiles(deb, (p) => p === 'bin/busybox');
  const data = files.get('bin/busybox');
  if (!data) throw new Error(`${deb} has no bin/busybox`);
  return { data, source };
}

function dpkgDeb(args: string[]): Buffer {
  try {
    return execFileSync('dpkg-deb', args, { maxBuffer: 2 ** 31 - 1, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') throw new Error('dpkg-deb is not installed (it comes with Debian and Ubuntu)');
    throw new Error(`dpkg-deb ${args.join(' ')} failed: ${err.stderr?.toString().trim() || err.message}`);
  }
}
