// `ai-way images`, run as a user runs it: what the build made, each file's real size and sum, and
// what it skipped and why; one clear line when the list is missing or damaged.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CARRIED_IMAGES_FILE, carriedImagesSchema } from '../../appliance/guest-images.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

function aiWay(root: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'ai-way.mjs'), ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** A copy of the built launcher with no images beside it. */
function bareInstall(): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ai-way-bare-'));
  for (const part of ['package.json', 'bin', 'build/ai-way.mjs', 'build/chunks'])
    cpSync(path.join(ROOT, part), path.join(root, part), { recursive: true });
  return root;
}

describe.skipIf(!existsSync(path.join(ROOT, CARRIED_IMAGES_FILE)))('ai-way images', () => {
  it('--json lists every image the build made, with the real size and SHA-256 of each file', () => {
    const r = aiWay(ROOT, 'images', '--json');
    expect(r).toMatchObject({ code: EXIT.ok, err: '' });
    const carried = carriedImagesSchema.parse(JSON.parse(r.out));
    expect(carried.images.map((i) => i.format)).toContain('oci');
    for (const f of carried.images.flatMap((i) => i.files)) {
      const bytes = readFileSync(f.path);
      expect([f.path, bytes.length, createHash('sha256').update(bytes).digest('hex')]).toEqual([f.path, f.bytes, f.sha256]);
    }
    for (const i of carried.images.filter((i) => i.format !== 'oci'))
      expect(i.sources[0]).toMatchObject({
        what: expect.stringMatching(/^Alpine Linux 3\.20\.3 /),
        pinned: expect.stringMatching(/^sha512:/),
      });
  });

  it('says in words what it carries and what it does not, and why', () => {
    const r = aiWay(ROOT, 'images');
    expect(r.code).toBe(EXIT.ok);
    expect(r.out).toContain(`Images this ai-way carries (${path.join(ROOT, CARRIED_IMAGES_FILE)}):`);
    expect(r.out).toContain('selftest, Alpine x86_64, oci: image archive for Podman (no guest)');
    const skipped = carriedImagesSchema.parse(JSON.parse(readFileSync(path.join(ROOT, CARRIED_IMAGES_FILE), 'utf8'))).skipped;
    for (const s of skipped) expect(r.out).toContain(`: ${s.reason}`);
  });
});

describe('ai-way images without its list', () => {
  it('says in one line that the list is missing, and what to do', () => {
    const root = bareInstall();
    const file = path.join(root, CARRIED_IMAGES_FILE);
    expect(aiWay(root, 'images')).toEqual({
      code: EXIT.bootFailed,
      out: '',
      err:
        `ai-way: this ai-way cannot say what images it carries: ${file} is missing; ` +
        'run "npm run setup" to build the images, or reinstall ai-way\n',
    });
  });

  it('says in one line that the list is damaged', () => {
    const root = bareInstall();
    const file = path.join(root, CARRIED_IMAGES_FILE);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '{"images": [{"format": "floppy"}], "skipped": []}');
    const r = aiWay(root, 'images', '--json');
    expect(r.code).toBe(EXIT.bootFailed);
    expect(r.err).toMatch(
      new RegExp(`^ai-way: ${file.replaceAll('.', '\\.')} is damaged \\(images\\.0\\.[a-z]+: [^\\n]+\\); run "npm run setup"[^\\n]*\\n$`),
    );
  });
});
