// An upstream file the build needs (a distribution's root filesystem), from the upstream cache
// folder or else its download URL, and always checked against the sum it is pinned by.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { PinnedBase } from './recipe.ts';

/** The cache folder: AIWAY_UPSTREAM_CACHE, or ../shared/upstream beside the checkout. */
export const upstreamCache = (repo: string, env = process.env) =>
  env.AIWAY_UPSTREAM_CACHE || path.resolve(repo, '..', 'shared', 'upstream');

export type Download = (url: string) => Promise<Uint8Array>;

const DOWNLOAD_TIMEOUT_MS = 60_000;

export const download: Download = async (url) => {
  const response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
};

const sha512 = (b: Uint8Array) => createHash('sha512').update(b).digest('hex');

/** The pinned file's bytes; throws one line saying where it looked and what to do. */
export async function pinnedFile(base: PinnedBase, cache: string, get: Download = download): Promise<{ bytes: Uint8Array; from: string }> {
  const cached = path.join(cache, base.file);
  if ('digest' in base) {
    // Checked blob by blob against the digest when it is read (oci-tree.ts).
    if (existsSync(cached)) return { bytes: readFileSync(cached), from: cached };
    throw new Error(
      `${base.what}: ${cached} is missing, and the build reads no registry: put an OCI archive of ${base.image}@${base.digest} there`,
    );
  }
  if (existsSync(cached)) {
    const bytes = readFileSync(cached);
    if (sha512(bytes) !== base.sha512)
      throw new Error(`${base.what}: ${cached} does not match its pinned SHA-512: remove it, or replace it with the release file`);
    return { bytes, from: cached };
  }
  let bytes: Uint8Array;
  try {
    bytes = await get(base.url);
  } catch (e) {
    const why = (e as Error).cause ? String(((e as Error).cause as Error).message ?? (e as Error).cause) : (e as Error).message;
    throw new Error(`${base.what}: not in ${cache} (AIWAY_UPSTREAM_CACHE) and ${base.url} cannot be downloaded (${why})`);
  }
  if (sha512(bytes) !== base.sha512) throw new Error(`${base.what}: what ${base.url} sent does not match its pinned SHA-512`);
  return { bytes, from: base.url };
}
