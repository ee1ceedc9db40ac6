// The Linux single executable, copied alone into an empty folder and run where no Node and no
// node_modules can be found (`npm test` builds it: scripts/package.mjs linux-x64).
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { takeSessionTurns } from '../support/sessions.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const EXE = path.join(ROOT, 'dist', 'ai-way-linux-x64');
const missing =
  process.arch !== 'x64' ? 'not an x86_64 machine' : existsSync(EXE) ? null : `${EXE} is not built (node scripts/package.mjs linux-x64)`;
if (missing) console.warn(`SKIPPING single-file tests: ${missing}`);
const podman = spawnSync('podman', ['--version']).error === undefined;

describe.skipIf(missing !== null)('ai-way-linux-x64 alone', () => {
  takeSessionTurns();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-one-'));
  const exe = path.join(dir, 'ai-way-linux-x64');
  copyFileSync(EXE, exe);
  // A PATH with Podman and the system tools, but no Node anywhere.
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  if (podman) symlinkSync('/usr/bin/podman', path.join(bin, 'podman'));
  const env = { PATH: `${bin}:/usr/sbin:/sbin`, HOME: os.homedir(), LANG: 'C.UTF-8', NO_COLOR: '1' };
  const run = (...args: string[]) => spawnSync(exe, args, { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });

  it('finds no Node to lean on', () => {
    expect(spawnSync('sh', ['-c', 'command -v node'], { env }).status).not.toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['ai-way-linux-x64', 'bin']);
  });

  it('answers --version and --help', () => {
    const { version } = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    expect(run('--version')).toMatchObject({ status: 0, stdout: `${version}\n` });
    expect(run('--help').stdout).toContain('Usage:');
  });

  it('runs doctor and plan', () => {
    const doctor = run('doctor', '--json');
    expect(JSON.parse(doctor.stdout).host).toMatchObject({ platform: 'linux', arch: 'x86_64' });
    expect(JSON.parse(run('plan', '--json').stdout)).toMatchObject({ schema: 1, image: { arch: 'x86_64' } });
  });

  it("lists the images it carries inside itself: the selftest image and its architecture's guest", () => {
    const r = run('images', '--json');
    expect(r.status).toBe(0);
    const carried = JSON.parse(r.stdout) as { images: { arch: string; format: string; files: { path: string }[] }[] };
    expect(carried.images.every((i) => i.arch === 'x86_64' && i.files.every((f) => f.path.startsWith('/ai-way-embedded/')))).toBe(true);
    const built = JSON.parse(readFileSync(path.join(ROOT, 'build', 'images', 'images.json'), 'utf8')) as {
      images: ((typeof carried.images)[number] & { appliance: string })[];
    };
    // the ai-way image comes beside the executable, not inside it
    const wanted = built.images
      .filter((i) => i.arch === 'x86_64' && i.format !== 'wsl-rootfs' && i.appliance !== 'ai-way')
      .map((i) => i.format);
    expect(carried.images.map((i) => i.format)).toEqual(wanted);
  });

  it.skipIf(!podman)('runs a headless session of the selftest appliance it carries, and erases it', () => {
    const r = run('run', '--headless', '--json');
    const events = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(events.find((e) => e.type === 'verified')?.proven).toBe(true);
    expect(events.find((e) => e.type === 'smoke')?.ok).toBe(true);
    expect(events.at(-2)?.type).toBe('wiped');
    expect(events.at(-1)).toMatchObject({ type: 'result', exitCode: 0, reason: 'ok' });
    expect(r.status).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(['ai-way-linux-x64', 'bin']); // nothing left beside it
  });
});

describe('the other executables, where built', () => {
  const win = path.join(ROOT, 'dist', 'ai-way-win-x64.exe');
  it.skipIf(!existsSync(win))('Windows: a PE console program carrying the blob', () => {
    const bytes = readFileSync(win);
    const pe = bytes.readUInt32LE(0x3c);
    expect(bytes.subarray(pe, pe + 4).toString('latin1')).toBe('PE\0\0');
    const optional = pe + 24;
    expect(bytes.readUInt16LE(optional)).toBe(0x20b); // PE32+
    expect(bytes.readUInt16LE(optional + 68)).toBe(3); // subsystem: Windows console
    expect(bytes.includes(Buffer.from('NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2:1'))).toBe(true); // the fuse is flipped
  });
});
