// Hostile appliances, built the way the selftest is: its files, plus test/support/attack/attack.c
// compiled here as the app's CGI (/www/cgi-bin/attack) and, optionally, run at boot ahead of httpd.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './rootless.ts';
import { selftestFiles } from '../../packaging/build-selftest-image.ts';
import { ociArchive } from '../../packaging/oci-image.ts';

const AGENT = path.join(ROOT, 'build', 'native', 'ai-way-agent-x86_64');

/** Why hostile appliances cannot be built here, or null. */
export function hostileUnavailable(): string | null {
  if (process.arch !== 'x64') return 'the attack program is built for x86_64 only';
  if (spawnSync('musl-gcc', ['--version']).error) return 'musl-gcc is missing (npm run setup installs musl-tools)';
  if (!existsSync('/bin/busybox') || !existsSync(AGENT)) return 'the selftest\'s busybox or agent is missing (npm run setup, npm run build)';
  return null;
}

function attackBinary(dir: string): Uint8Array {
  const out = path.join(dir, 'attack');
  if (!existsSync(out)) {
    const r = spawnSync('musl-gcc', ['-static', '-Os', '-Wall', '-o', out, path.join(ROOT, 'test', 'support', 'attack', 'attack.c')], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`building the attack program failed: ${r.stderr}`);
  }
  return new Uint8Array(readFileSync(out));
}

/**
 * Writes the appliance into `dir` (readable by the test user) and returns its manifest's path.
 * `boot` names attacks the app starts before its web server (see attack.c).
 */
export function hostileAppliance(dir: string, name: string, boot: string[] = []): string {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755);
  const files = [...selftestFiles(ROOT, AGENT, '/bin/busybox'), { path: 'www/cgi-bin/attack', data: attackBinary(dir), mode: 0o755 }];
  const image = path.join(dir, `${name}.oci.tar`);
  writeFileSync(image, ociArchive(files, { ref: `localhost/ai-way-test-${name}:0`, arch: 'amd64', entrypoint: ['/sbin/ai-way-agent'] }));
  const httpd = ['/bin/busybox', 'httpd', '-f', '-p', '127.0.0.1:8080', '-h', '/www'];
  const command = boot.length ? ['/www/cgi-bin/attack', 'boot', ...boot, '--', ...httpd] : httpd;
  const manifest = path.join(dir, `${name}.toml`);
  writeFileSync(manifest, `name = "${name}"
version = "0.1.0"

[images.alpine]
x86_64 = "oci-archive:${name}.oci.tar"

[app]
command = ${JSON.stringify(command)}
port = 8080

[workspace]
size = "64MiB"
exec = false

[resources]
memory = "128MiB"
cpus = 1
pids = 64

[gpu]
wish = "none"

[health]
path = "/health"
timeout = "10s"
interval = "50ms"
`);
  for (const f of [image, manifest]) chmodSync(f, 0o644);
  return manifest;
}
