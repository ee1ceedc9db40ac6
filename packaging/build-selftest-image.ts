// Builds the selftest appliance image offline: Debian's static busybox, the agent, and the
// selftest app (busybox httpd serving images/selftest/www). Run by scripts/build.mjs.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { CarriedImage } from '../appliance/guest-images.ts';
import type { TarEntry } from '../appliance/tar.ts';
import { DEBIAN_FOLDER, debianArch, staticBusybox } from './guest/debian.ts';
import { applianceBase } from './appliance-files.ts';
import { ociArchive } from './oci-image.ts';

const ARCHES = { x86_64: 'amd64', aarch64: 'arm64' } as const;
/** The files of a busybox appliance: busybox, the agent, and `www` (what busybox httpd serves, CGI scripts included). */
export function busyboxApplianceFiles(busybox: Uint8Array, agent: string, www: TarEntry[]): TarEntry[] {
  return [
    { path: 'bin/busybox', data: busybox, mode: 0o755 },
    { path: 'bin/sh', data: new Uint8Array(), linkTarget: 'busybox' },
    ...applianceBase(agent, '/bin/sh'),
    ...www,
  ];
}

function wwwFiles(root: string): TarEntry[] {
  const out: TarEntry[] = [];
  for (const name of readdirSync(root, { recursive: true }).map(String).sort()) {
    const full = path.join(root, name);
    if (statSync(full).isFile())
      out.push({
        path: `www/${name.split(path.sep).join('/')}`,
        data: new Uint8Array(readFileSync(full)),
        mode: statSync(full).mode & 0o111 ? 0o755 : 0o644,
      });
  }
  return out;
}

/** The selftest app: what busybox httpd serves from images/selftest/www. */
export const selftestWww = (repo: string) => wwwFiles(path.join(repo, 'images', 'selftest', 'www'));

type Source = CarriedImage['sources'][number];
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Static busybox for `arch`: this machine's own (Debian's busybox-static), else that package for `arch` in build/debian. */
function busyboxFor(repo: string, arch: keyof typeof ARCHES, installed: string): { data: Uint8Array; source: Source } | string {
  const hostArch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  if (arch === hostArch && existsSync(installed)) {
    const data = new Uint8Array(readFileSync(installed));
    return { data, source: { what: 'busybox (Debian busybox-static, installed)', from: installed, pinned: null, sha256: sha256(data) } };
  }
  let box: ReturnType<typeof staticBusybox>;
  try {
    box = staticBusybox(repo, arch);
  } catch (e) {
    return (e as Error).message;
  }
  if (!box) return `needs an ${arch} busybox: busybox-static:${debianArch(arch)} in ${DEBIAN_FOLDER} (npm run setup)`;
  const { package: pkg, version, file } = box.source;
  return {
    data: box.data,
    source: { what: `busybox (Debian package ${pkg} ${version})`, from: file, pinned: null, sha256: sha256(box.data) },
  };
}

/** The selftest image for each architecture (what it was built from, for `ai-way images`), and why any was skipped. */
export function buildSelftestImage(
  repo: string,
  version: string,
  busybox = '/bin/busybox',
): { written: { arch: keyof typeof ARCHES; file: string; sources: Source[] }[]; skipped: string[] } {
  const written: { arch: keyof typeof ARCHES; file: string; sources: Source[] }[] = [];
  const skipped: string[] = [];
  for (const arch of Object.keys(ARCHES) as (keyof typeof ARCHES)[]) {
    const agent = path.join(repo, 'build', 'native', `ai-way-agent-${arch}`);
    if (!existsSync(agent)) {
      skipped.push(`${arch}: ${agent} is missing (scripts/build-native.sh)`);
      continue;
    }
    const box = busyboxFor(repo, arch, busybox);
    if (typeof box === 'string') {
      skipped.push(`${arch}: ${box}`);
      continue;
    }
    const files = busyboxApplianceFiles(box.data, agent, selftestWww(repo));
    const out = path.join(repo, 'build', 'images', `selftest-${arch}.oci.tar`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      ociArchive(files, { ref: `localhost/ai-way-selftest:${version}`, arch: ARCHES[arch], entrypoint: ['/sbin/ai-way-agent'] }),
    );
    const agentSource = {
      what: `the ai-way agent (${arch})`,
      from: path.relative(repo, agent),
      pinned: null,
      sha256: sha256(readFileSync(agent)),
    };
    written.push({ arch, file: out, sources: [box.source, agentSource] });
  }
  return { written, skipped };
}
