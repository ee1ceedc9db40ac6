// Installs the app's dependencies without node-llama-cpp's ~600 MB of optional GPU builds: `npm ci
// --omit=optional`, then only the CPU build for this machine (its exact version, not saved: the
// lock keeps every platform's entry). Install scripts stay off: nothing is built or downloaded at
// run time. An install of the same lock is kept (a stamp in node_modules), so a build repeats nothing.
// The image build adds a CUDA or Vulkan package itself where it ships one (README.md).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const FLAGS = ['--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];

/** The prebuilt CPU package of node-llama-cpp for this machine, or null where it has none. */
export function cpuPackage(platform = process.platform, arch = process.arch) {
  const version = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8')).dependencies['node-llama-cpp'];
  return platform === 'linux' && (arch === 'x64' || arch === 'arm64') ? `@node-llama-cpp/linux-${arch}@${version}` : null;
}

export function installApp() {
  const stamp = path.join(here, 'node_modules/.ai-way-install');
  const cpu = cpuPackage();
  const want = `${createHash('sha256')
    .update(readFileSync(path.join(here, 'package-lock.json')))
    .digest('hex')} ${cpu}\n`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === want) return "the app's dependencies are installed already";
  const npm = (args) => execFileSync('npm', args, { cwd: here, stdio: ['ignore', 'ignore', 'inherit'] });
  npm(['ci', ...FLAGS]);
  if (cpu) npm(['install', '--no-save', ...FLAGS, cpu]);
  writeFileSync(stamp, want);
  return cpu
    ? `the app's dependencies are installed, with ${cpu}`
    : `the app's dependencies are installed, with no CPU build for ${process.platform}-${process.arch}`;
}

if (process.argv[1] === import.meta.filename) process.stderr.write(`install: ${installApp()}\n`);
