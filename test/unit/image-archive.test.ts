// Appliance image archives: the image id is found from the tar's headers and two small JSON files,
// never the layers; what is not an uncompressed OCI archive is refused before Podman is asked.
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { ociArchive } from '../../packaging/oci-image.ts';
import { withRegularFile } from '../../platforms/bounded-read.ts';
import { packTar, unpackTar } from '../../appliance/tar.ts';
import { archiveImageId, ensureImage, MAX_IMAGE_ARCHIVE_BYTES } from '../../platforms/linux/podman.ts';

const tmp = () => mkdtempSync(path.join(os.tmpdir(), 'ai-way-image-'));
const enc = new TextEncoder();
const MiB = 1024 ** 2;

const LAYER_BYTES = 4 * MiB;
const ARCHIVE = ociArchive([{ path: 'data.bin', data: new Uint8Array(LAYER_BYTES).fill(7) }], {
  ref: 'localhost/t:1',
  arch: 'amd64',
  entrypoint: ['/x'],
});

/** The config digest, read the plain way: the whole archive unpacked in memory. */
function configDigest(archive: Uint8Array): string {
  const files = new Map(unpackTar(archive, { maxEntries: 10, maxEntryBytes: 2 * LAYER_BYTES }).map((e) => [e.path, e.data]));
  const json = (p: string) => JSON.parse(new TextDecoder().decode(files.get(p)));
  const manifest = json(`blobs/sha256/${json('index.json').manifests[0].digest.slice('sha256:'.length)}`);
  return manifest.config.digest.slice('sha256:'.length);
}

const write = (name: string, bytes: Uint8Array) => {
  const file = path.join(tmp(), name);
  writeFileSync(file, bytes);
  return file;
};

describe('archiveImageId', () => {
  it('finds the config digest reading the headers and two small files, never the layer', async () => {
    const file = write('image.oci.tar', ARCHIVE);
    const { id, bytesRead } = await withRegularFile(file, MAX_IMAGE_ARCHIVE_BYTES, (f) => {
      let n = 0;
      const id = archiveImageId((offset, length) => {
        const b = f.readAt(offset, length);
        n += b.length;
        return b;
      }, f.size);
      return { id, bytesRead: n };
    });
    expect(id).toBe(configDigest(ARCHIVE));
    expect(bytesRead).toBeLessThan(16 * 1024);
    expect(ARCHIVE.length).toBeGreaterThan(LAYER_BYTES);
  });
});

describe('ensureImage refuses what is not an uncompressed OCI archive, as bad input, before Podman is asked', () => {
  const refusal = async (file: string) => {
    const e = await ensureImage({ kind: 'oci-archive', path: file }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(e).toMatchObject({ code: 'image-refused', exitCode: 3 });
    expect((e as Error).message).not.toContain('\n');
    return (e as Error).message;
  };

  it('a named pipe and a character device', async () => {
    const fifo = path.join(tmp(), 'image.oci.tar');
    execFileSync('mkfifo', [fifo]);
    expect(await refusal(fifo)).toBe(`the appliance image ${fifo} cannot be used: it is a named pipe (FIFO), not a regular file`);
    expect(await refusal('/dev/zero')).toBe('the appliance image /dev/zero cannot be used: it is a character device, not a regular file');
  });

  it('a file larger than an image may be (sparse: nothing on disk)', async () => {
    const file = path.join(tmp(), 'huge.oci.tar');
    writeFileSync(file, '');
    truncateSync(file, MAX_IMAGE_ARCHIVE_BYTES + 1);
    expect(await refusal(file)).toMatch(/cannot be used: it is larger than the 64 GiB allowed$/);
  });

  it('a compressed archive, a gzip bomb included: nothing is decompressed', async () => {
    expect(await refusal(write('image.oci.tar.gz', gzipSync(ARCHIVE)))).toMatch(/cannot be used: it is compressed \(gzip\)/);
    expect(await refusal(write('bomb.tar.gz', gzipSync(new Uint8Array(64 * MiB))))).toMatch(/it is compressed \(gzip\)/);
  });

  it('a damaged archive, one without an index, and digests that are not sha256 (they become Podman arguments)', async () => {
    expect(await refusal(write('cut.oci.tar', ARCHIVE.subarray(0, 4096)))).toMatch(/damaged archive/);
    expect(await refusal(write('other.tar', packTar([{ path: 'README', data: enc.encode('hi') }])))).toMatch(
      /it has no index\.json, so it is not an OCI archive/,
    );
    const index = (digest: string) => packTar([{ path: 'index.json', data: enc.encode(JSON.stringify({ manifests: [{ digest }] })) }]);
    expect(await refusal(write('flag.oci.tar', index('--privileged')))).toMatch(/its image manifest is not a sha256 digest/);
    expect(await refusal(write('climb.oci.tar', index('sha256:../../index.json')))).toMatch(/its image manifest is not a sha256 digest/);
  });
});
