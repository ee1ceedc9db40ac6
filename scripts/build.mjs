// Builds everything ai-way runs from a checkout: the launcher bundle (build/ai-way.mjs), the
// in-guest agent (build/native/), the ai-way app for host tests (images/ai-way/app/dist/), the
// appliances' images (build/images/), the guests (build/guests/) and the generated test model
// (build/models/). A missing C toolchain, busybox, kernel or upstream file, or no npm registry for
// the app, only skips those parts, with a note: `npm ci` must not fail.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { withBuildTool } from './build-tool.mjs';

const root = path.resolve(import.meta.dirname, '..');
const { version } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const note = (s) => process.stderr.write(`build: ${s}\n`);

rmSync(path.join(root, 'build/chunks'), { recursive: true, force: true }); // no stale chunks

await build({
  entryPoints: { 'ai-way': path.join(root, 'launcher/entry.ts') },
  outdir: path.join(root, 'build'),
  // Commands are separate chunks, loaded when used: start-up parses only what it runs.
  splitting: true,
  outExtension: { '.js': '.mjs' },
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minifyWhitespace: true,
  legalComments: 'none',
  define: { AI_WAY_VERSION: JSON.stringify(version), 'process.env.NODE_ENV': '"production"' },
  jsx: 'automatic',
  // Ink imports React's devtools only under DEV=true; a stub keeps them out of the bundle.
  alias: { 'react-devtools-core': path.join(root, 'launcher/ui/no-devtools.ts') },
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  logLevel: 'warning',
});

try {
  execFileSync('sh', [path.join(root, 'scripts/build-native.sh')], { stdio: 'inherit' });
} catch {
  note('the agent was not built (see above); the selftest image needs it');
}

// The ai-way app: its own dependencies (node-llama-cpp's CPU build only), bundled beside them for the tests.
try {
  const app = path.join(root, 'images/ai-way/app');
  const { installApp } = await import(path.join(app, 'install.mjs'));
  note(installApp());
  const { bundleApp } = await import(path.join(app, 'bundle.mjs'));
  await bundleApp(path.join(app, 'dist/main.mjs'));
} catch (e) {
  note(`the ai-way app was not built: ${e.message}`);
}

// The images: the appliances' and the guests built around them (packaging/build-images.ts).
await withBuildTool(root, 'packaging/build-images.ts', async ({ buildImages }, builder) => {
  try {
    for (const line of await buildImages({ repo: root, version, builder })) note(line);
  } catch (e) {
    note(`the images were not built: ${e.message}`);
  }
});

// The generated models: tests load and run them as the appliance would a real one.
await withBuildTool(root, 'packaging/models/build-models.ts', async ({ buildModels }, builder) => {
  for (const line of buildModels(root, builder)) note(line);
});
