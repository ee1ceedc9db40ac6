// Hostile appliances, built the way the selftest image is (packaging/build-selftest-image.ts):
// static busybox, the real agent, and busybox httpd serving CGI scripts the test writes. The
// app inside is the attacker; the launcher must survive what it sends back.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { busyboxApplianceFiles } from '../../packaging/build-selftest-image.ts';
import { ociArchive } from '../../packaging/oci-image.ts';
import { ROOT } from './rootless.ts';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const AGENT = path.join(ROOT, 'build', 'native', `ai-way-agent-${ARCH}`);

/**
 * Writes the image and its appliance.toml (the selftest's, with this image); returns the manifest's path.
 * Scripts are /cgi-bin/<name>; without `healthy` the health check never passes.
 */
export function attackAppliance(name: string, cgi: Record<string, string>, { healthy = true } = {}): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), `ai-way-attack-${name}-`));
  chmodSync(dir, 0o755); // the rootless test user loads the image and reads the manifest
  const enc = new TextEncoder();
  const selftestFile = (f: string, mode: number) => ({ path: `www/${f}`, data: new Uint8Array(readFileSync(path.join(ROOT, 'images', 'selftest', 'www', f))), mode });
  // The selftest's own health page and ask script (unless the test replaces it) keep the boot and the smoke check.
  const www = [
    ...(healthy ? [selftestFile('health', 0o644)] : []), ...(cgi.ask === undefined ? [selftestFile('cgi-bin/ask', 0o755)] : []),
    ...Object.entries(cgi).map(([script, body]) => ({ path: `www/cgi-bin/${script}`, data: enc.encode(`#!/bin/sh\n${body}\n`), mode: 0o755 })),
  ];
  const image = path.join(dir, 'image.oci.tar');
  writeFileSync(image, ociArchive(busyboxApplianceFiles('/bin/busybox', AGENT, www),
    { ref: `localhost/ai-way-attack-${name}:test`, arch: ARCH === 'aarch64' ? 'arm64' : 'amd64', entrypoint: ['/sbin/ai-way-agent'] }));
  const selftest = readFileSync(path.join(ROOT, 'images', 'selftest', 'appliance.toml'), 'utf8');
  const manifest = path.join(dir, 'appliance.toml');
  writeFileSync(manifest, selftest.replace(/^name = .*$/m, `name = "attack-${name}"`).replace(/^x86_64 = .*$/m, `${ARCH} = "oci-archive:${image}"`));
  for (const f of [image, manifest]) chmodSync(f, 0o644);
  return manifest;
}
