// Builds the selftest appliance image offline: Debian's static busybox, the agent, and the
// selftest app (busybox httpd serving images/selftest/www). Run by scripts/build.mjs.
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TarEntry } from '../appliance/tar.ts';
import { ociArchive } from './oci-image.ts';

const ARCHES = { x86_64: 'amd64', aarch64: 'arm64' } as const;
const empty = new Uint8Array();
const dir = (p: string, mode = 0o755): TarEntry => ({ path: p, data: empty, directory: true, mode });

/** The files of a busybox appliance: busybox, the agent, and `www` (what busybox httpd serves, CGI scripts included). */
export function busyboxApplianceFiles(busybox: string, agent: string, www: TarEntry[]): TarEntry[] {
  return [
    { path: 'bin/busybox', data: new Uint8Array(readFileSync(busybox)), mode: 0o755 },
    { path: 'bin/sh', data: empty, linkTarget: 'busybox' },
    { path: 'sbin/ai-way-agent', data: new Uint8Array(readFileSync(agent)), mode: 0o755 },
    // the agent is root; the app runs as 1000 (native/agent/sandbox.h)
    { path: 'etc/passwd', data: new TextEncoder().encode('root:x:0:0:root:/:/bin/sh\napp:x:1000:1000:app:/workspace:/bin/sh\n') },
    { path: 'etc/group', data: new TextEncoder().encode('root:x:0:\napp:x:1000:\n') },
    dir('dev'),
    dir('proc'),
    dir('sys'),
    dir('tmp', 0o1777),
    dir('workspace', 0o700),
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

/** Returns the archives written, and why any architecture was skipped. */
export function buildSelftestImage(repo: string, version: string, busybox = '/bin/busybox'): { written: string[]; skipped: string[] } {
  const written: string[] = [];
  const skipped: string[] = [];
  if (!existsSync(busybox)) return { written, skipped: [`${busybox} is missing (Debian package busybox-static)`] };
  const hostArch = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
  for (const arch of Object.keys(ARCHES) as (keyof typeof ARCHES)[]) {
    const agent = path.join(repo, 'build', 'native', `ai-way-agent-${arch}`);
    // busybox comes from this machine, so only this machine's architecture can be built here.
    if (arch !== hostArch) {
      skipped.push(`${arch}: needs an ${arch} busybox`);
      continue;
    }
    if (!existsSync(agent)) {
      skipped.push(`${arch}: ${agent} is missing (scripts/build-native.sh)`);
      continue;
    }
    const files = busyboxApplianceFiles(busybox, agent, selftestWww(repo));
    const out = path.join(repo, 'build', 'images', `selftest-${arch}.oci.tar`);
    mkdirSync(path.dirname(out), { recursive: true });
    writeFileSync(
      out,
      ociArchive(files, { ref: `localhost/ai-way-selftest:${version}`, arch: ARCHES[arch], entrypoint: ['/sbin/ai-way-agent'] }),
    );
    written.push(out);
  }
  return { written, skipped };
}
