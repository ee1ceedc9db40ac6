// Writes a single-layer OCI image archive (oci-archive) from a list of files, deterministically:
// the same files give the same bytes and so the same image id.
import { createHash } from 'node:crypto';
import { packTar, type TarEntry } from '../appliance/tar.ts';

export interface OciImageOptions {
  /** e.g. "localhost/ai-way-selftest:0.1.0" (what `podman load` names the image). */
  ref: string;
  arch: 'amd64' | 'arm64';
  entrypoint: string[];
  /** The image's PATH; /bin:/sbin when absent. */
  path?: string;
}

const enc = new TextEncoder();
const digest = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
const blobPath = (d: string) => `blobs/sha256/${d.slice('sha256:'.length)}`;

export function ociArchive(files: readonly TarEntry[], o: OciImageOptions): Uint8Array {
  const layer = packTar(files);
  const layerDigest = digest(layer);
  const config = enc.encode(
    JSON.stringify({
      architecture: o.arch,
      os: 'linux',
      created: '1970-01-01T00:00:00Z',
      config: { Entrypoint: o.entrypoint, WorkingDir: '/', Env: [`PATH=${o.path ?? '/bin:/sbin'}`] },
      rootfs: { type: 'layers', diff_ids: [layerDigest] },
      history: [{ created: '1970-01-01T00:00:00Z', created_by: 'ai-way packaging/oci-image.ts' }],
    }),
  );
  const manifest = enc.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: layerDigest, size: layer.length }],
    }),
  );
  const index = enc.encode(
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: digest(manifest),
          size: manifest.length,
          annotations: { 'org.opencontainers.image.ref.name': o.ref },
        },
      ],
    }),
  );
  return packTar([
    { path: 'oci-layout', data: enc.encode('{"imageLayoutVersion":"1.0.0"}') },
    { path: 'index.json', data: index },
    { path: blobPath(layerDigest), data: layer },
    { path: blobPath(digest(config)), data: config },
    { path: blobPath(digest(manifest)), data: manifest },
  ]);
}
