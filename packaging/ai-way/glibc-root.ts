// The glibc runtime of the ai-way image, from Debian's own packages (downloaded by
// scripts/setup.sh into build/debian): what Node and llama.cpp's CPU build link against
// (readelf -d: libc, libm, libdl, libpthread, libstdc++, libgcc_s, the dynamic loader).
import type { TarEntry } from '../../appliance/tar.ts';
import { DEBIAN_FOLDER, type DebianSource, debianArch, debTree, packageDeb } from '../guest/debian.ts';
import type { GuestArch } from '../guest/oci-tree.ts';

export const RUNTIME_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1'] as const;

// The loader, the libraries and their search path; the licences. Not: gconv (iconv's charsets,
// which Node's ICU does not use), lintian's notes, gdb's and Python's helpers.
const KEEP = /^(etc\/ld\.so\.conf\.d|lib|lib64|usr\/lib)(\/|$)/;
const DROP = /\/gconv(\/|$)/;
const LICENCE = /^usr\/share\/doc\/[^/]+\/copyright$/;
const kept = (e: TarEntry) => (KEEP.test(e.path) && !DROP.test(e.path)) || (LICENCE.test(e.path) && !e.linkTarget);

/** The runtime's entries and the packages they came from, or why it cannot be made for `arch`. */
export function glibcRuntime(repo: string, arch: GuestArch): { entries: TarEntry[]; sources: DebianSource[] } | string {
  const entries: TarEntry[] = [];
  const sources: DebianSource[] = [];
  for (const name of RUNTIME_PACKAGES) {
    const deb = packageDeb(repo, name, arch);
    if (!deb) return `no ${name}:${debianArch(arch)} package in ${DEBIAN_FOLDER} (npm run setup)`;
    const tree = debTree(deb);
    entries.push(...tree.entries.filter(kept).map((e) => ({ ...e, uid: 0, gid: 0 })));
    sources.push(tree.source);
  }
  return { entries, sources };
}
