// The root filesystem an OCI image archive holds, for one architecture: its layers applied in order
// (whiteouts included), each blob checked against its digest on the way, from the index down, or
// from a pinned digest down when one is given (an image index or manifest, as a registry names it).
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { type TarEntry, tarItems } from '../../appliance/tar.ts';
import { normalPath, place, removeTree, treeFromTar } from './tree.ts';

const OCI_ARCH = { x86_64: 'amd64', aarch64: 'arm64' } as const;
export type GuestArch = keyof typeof OCI_ARCH;

interface Descriptor {
  mediaType?: string;
  digest: string;
  platform?: { architecture?: string; os?: string };
}

const WHITEOUT = '.wh.';
const OPAQUE = '.wh..wh..opq';

export function ociRootTree(archive: Uint8Array, arch: GuestArch, what: string, pinned?: string): TarEntry[] {
  const files = new Map<string, Uint8Array>();
  for (const item of tarItems((o, n) => archive.subarray(o, o + n), archive.length, 100_000))
    files.set(normalPath(item.path), archive.subarray(item.offset, item.offset + item.size));
  const blob = (digest: string): Uint8Array => {
    const [algorithm, hex] = digest.split(':');
    const data = files.get(`blobs/${algorithm}/${hex}`);
    if (!data) throw new Error(`${what}: the blob ${digest} is not in the archive`);
    const actual = algorithm === 'sha256' ? createHash('sha256').update(data).digest('hex') : null;
    if (actual !== hex) throw new Error(`${what}: the blob ${digest} does not match its digest (sha256:${actual})`);
    return data;
  };
  const json = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes));
  const index = files.get('index.json');
  if (!pinned && !index) throw new Error(`${what}: not an OCI image archive (no index.json)`);
  let doc = pinned ? json(blob(pinned)) : json(index!);
  // Down the indexes to this architecture's manifest.
  while (Array.isArray(doc.manifests)) {
    const all = doc.manifests as Descriptor[];
    const mine = all.filter((d) => !d.platform || (d.platform.architecture === OCI_ARCH[arch] && d.platform.os === 'linux'));
    if (mine.length !== 1) throw new Error(`${what}: ${mine.length ? 'several images' : 'no image'} for linux/${OCI_ARCH[arch]}`);
    doc = json(blob(mine[0]!.digest));
  }
  const config = json(blob(doc.config.digest));
  if (config.architecture !== OCI_ARCH[arch]) throw new Error(`${what}: the image is for ${config.architecture}, not ${OCI_ARCH[arch]}`);
  const byPath = new Map<string, TarEntry>();
  for (const layer of doc.layers as Descriptor[]) {
    const bytes = blob(layer.digest);
    const type = layer.mediaType ?? '';
    if (/zstd/.test(type)) throw new Error(`${what}: the layer ${layer.digest} is zstd-compressed, which this build cannot read`);
    applyLayer(byPath, treeFromTar(/gzip/.test(type) ? gunzipSync(bytes) : bytes, what));
  }
  return [...byPath.values()];
}

function applyLayer(byPath: Map<string, TarEntry>, entries: TarEntry[]): void {
  for (const e of entries) {
    const slash = e.path.lastIndexOf('/');
    const [dir, name] = [e.path.slice(0, slash + 1), e.path.slice(slash + 1)];
    if (name === OPAQUE) {
      for (const p of byPath.keys()) if (p.startsWith(dir)) byPath.delete(p);
    } else if (name.startsWith(WHITEOUT)) removeTree(byPath, `${dir}${name.slice(WHITEOUT.length)}`);
  }
  for (const e of entries) if (!e.path.slice(e.path.lastIndexOf('/') + 1).startsWith(WHITEOUT)) place(byPath, e);
}
