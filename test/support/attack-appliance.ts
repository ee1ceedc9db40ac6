// Hostile appliances, built the way the selftest image is (packaging/build-selftest-image.ts):
// static busybox, the real agent, and busybox httpd serving CGI scripts the test writes, and, when
// asked, the attack program (test/support/attack/attack.c) as /cgi-bin/attack, possibly started at
// boot ahead of httpd. The app inside is the attacker.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxApplianceFiles } from '../../packaging/build-selftest-image.ts';
import { ociArchive } from '../../packaging/oci-image.ts';
import { ROOT } from './rootless.ts';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
export const AGENT = path.join(ROOT, 'build', 'native', `ai-way-agent-${ARCH}`);
const ATTACK_SOURCE = path.join(ROOT, 'test', 'support', 'attack', 'attack.c');

/** Why the attack program cannot be built here, or null. */
export function attackProgramUnavailable(): string | null {
  if (ARCH !== 'x86_64') return 'the attack program is built with musl-gcc for x86_64 only';
  if (spawnSync('musl-gcc', ['--version']).error) return 'musl-gcc is missing (npm run setup installs musl-tools)';
  if (!existsSync('/bin/busybox') || !existsSync(AGENT)) return 'busybox or the agent is missing (npm run setup, npm run build)';
  return null;
}

let attackProgram: Uint8Array | null = null;

/** attack.c, compiled once per test process. */
function attackBinary(): Uint8Array {
  if (!attackProgram) {
    const out = path.join(mkdtempSync(path.join(os.tmpdir(), 'ai-way-attack-build-')), 'attack');
    const r = spawnSync('musl-gcc', ['-static', '-Os', '-Wall', '-o', out, ATTACK_SOURCE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the attack program failed: ${r.stderr}`);
    attackProgram = new Uint8Array(readFileSync(out));
  }
  return attackProgram;
}

export interface AttackOptions {
  /** Shell CGI scripts: /cgi-bin/<name>. */
  cgi?: Record<string, string>;
  /** Carry the attack program as /cgi-bin/attack. */
  program?: boolean;
  /** Attacks of the program the app starts before its web server (implies program). */
  boot?: string[];
  /** Without it the health check never passes. */
  healthy?: boolean;
}

/** Writes the image and its appliance.toml (the selftest's, with this image and app); returns the manifest's path. */
export function attackAppliance(name: string, { cgi = {}, program = false, boot = [], healthy = true }: AttackOptions = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ai-way-attack-${name}-`));
  chmodSync(dir, 0o755); // the rootless test user loads the image and reads the manifest
  const enc = new TextEncoder();
  const selftestFile = (f: string, mode: number) => ({
    path: `www/${f}`,
    data: new Uint8Array(readFileSync(path.join(ROOT, 'images', 'selftest', 'www', f))),
    mode,
  });
  // The selftest's own health page and ask script (unless the test replaces it) keep the boot and the smoke check.
  const www = [
    ...(healthy ? [selftestFile('health', 0o644)] : []),
    ...(cgi.ask === undefined ? [selftestFile('cgi-bin/ask', 0o755)] : []),
    ...Object.entries(cgi).map(([script, body]) => ({
      path: `www/cgi-bin/${script}`,
      data: enc.encode(`#!/bin/sh\n${body}\n`),
      mode: 0o755,
    })),
    ...(program || boot.length ? [{ path: 'www/cgi-bin/attack', data: attackBinary(), mode: 0o755 }] : []),
  ];
  const image = path.join(dir, 'image.oci.tar');
  writeFileSync(
    image,
    ociArchive(busyboxApplianceFiles(readFileSync('/bin/busybox'), AGENT, www), {
      ref: `localhost/ai-way-attack-${name}:test`,
      arch: ARCH === 'aarch64' ? 'arm64' : 'amd64',
      entrypoint: ['/sbin/ai-way-agent'],
    }),
  );
  let manifest = readFileSync(path.join(ROOT, 'images', 'selftest', 'appliance.toml'), 'utf8')
    .replace(/^name = .*$/m, `name = "attack-${name}"`)
    .replace(/^x86_64 = .*$/m, `${ARCH} = "oci-archive:${image}"`);
  if (boot.length) {
    const httpd = JSON.parse(/^command = (.*)$/m.exec(manifest)![1]!) as string[];
    manifest = manifest.replace(/^command = .*$/m, `command = ${JSON.stringify(['/www/cgi-bin/attack', 'boot', ...boot, '--', ...httpd])}`);
  }
  const manifestPath = path.join(dir, 'appliance.toml');
  writeFileSync(manifestPath, manifest);
  for (const f of [image, manifestPath]) chmodSync(f, 0o644);
  return manifestPath;
}
