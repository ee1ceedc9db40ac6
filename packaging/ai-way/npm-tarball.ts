// A package from the npm registry, by exact version, checked against the SHA-512 it is pinned by
// (npm's own `integrity`): fetched once with `npm pack` into a cache folder, then read from there.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { TarEntry } from '../../appliance/tar.ts';
import { treeFromTar } from '../guest/tree.ts';

/** Where the tarballs are kept between builds, under the checkout. */
export const NPM_CACHE_FOLDER = path.join('build', 'npm-cache');

export interface NpmPin {
  name: string;
  version: string;
  /** npm's integrity string: "sha512-" and the base64 of the tarball's SHA-512. */
  integrity: string;
}

export interface NpmTarball {
  bytes: Uint8Array;
  file: string;
  sha256: string;
}

const tarballName = (p: NpmPin) => `${p.name.replace(/^@/, '').replace('/', '-')}-${p.version}.tgz`;
const integrityOf = (b: Uint8Array) => `sha512-${createHash('sha512').update(b).digest('base64')}`;

/** The pinned tarball's bytes; throws one line when it cannot be had or does not match its pin. */
export function npmTarball(cache: string, pin: NpmPin): NpmTarball {
  const file = path.join(cache, tarballName(pin));
  if (!existsSync(file)) {
    const temp = path.join(cache, `.pack-${process.pid}`);
    rmSync(temp, { recursive: true, force: true });
    mkdirSync(temp, { recursive: true });
    try {
      execFileSync('npm', ['pack', `${pin.name}@${pin.version}`, '--silent', '--pack-destination', temp], {
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 300_000,
      });
      renameSync(path.join(temp, tarballName(pin)), file);
    } catch (e) {
      const err = e as Error & { stderr?: Buffer };
      throw new Error(
        `${pin.name}@${pin.version} cannot be fetched from the npm registry (${firstLine(err.stderr?.toString() || err.message)})`,
      );
    } finally {
      rmSync(temp, { recursive: true, force: true });
    }
  }
  const bytes = new Uint8Array(readFileSync(file));
  if (integrityOf(bytes) !== pin.integrity)
    throw new Error(`${file} does not match the pinned integrity of ${pin.name}@${pin.version}: remove it and build again`);
  return { bytes, file, sha256: createHash('sha256').update(bytes).digest('hex') };
}

const firstLine = (s: string) =>
  s
    .trim()
    .split('\n')
    .find((l) => l.trim()) ?? 'no reason given';

/** The package's files moved from the tarball's `package/` folder under `folder`, owned by root. */
export function packageEntries(tgz: Uint8Array, folder: string, what: string): TarEntry[] {
  return treeFromTar(gunzipSync(tgz), what).flatMap((e) => {
    if (!e.path.startsWith('package/')) return [];
    return [{ ...e, path: `${folder}/${e.path.slice('package/'.length)}`, uid: 0, gid: 0 }];
  });
}
