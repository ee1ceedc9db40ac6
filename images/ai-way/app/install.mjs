// Installs the app's dependencies without node-llama-cpp's ~600 MB of optional GPU builds: `npm ci
// --omit=optional`, then only the CPU build for this machine (its exact version, not saved: the
// lock keeps every platform's entry). Install scripts stay off: nothing is built or downloaded.
// The image build adds a CUDA or Vulkan package itself where it ships one (README.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const here = import.meta.dirname;
const pkg = JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8'));
const version = pkg.dependencies['node-llama-cpp'];
const arch = { x64: 'x64', arm64: 'arm64' }[process.arch];
const flags = ['--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'];
const npm = (args) => execFileSync('npm', args, { cwd: here, stdio: 'inherit' });

npm(['ci', ...flags]);
if (process.platform === 'linux' && arch) npm(['install', '--no-save', ...flags, `@node-llama-cpp/linux-${arch}@${version}`]);
else process.stderr.write(`install: no CPU build of node-llama-cpp for ${process.platform}-${process.arch} is installed\n`);
