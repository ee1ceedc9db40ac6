// The app as one file: esbuild bundles src/main.ts with MiniSearch and pdf.js (its worker too) into `outfile`.
// node-llama-cpp stays outside: it loads its native build (@node-llama-cpp/<platform>) from
// node_modules beside the bundle at run time (README.md says what the image ships).
import { build } from 'esbuild';
import path from 'node:path';

export const EXTERNAL = ['node-llama-cpp', '@node-llama-cpp/*'];

export async function bundleApp(outfile) {
  await build({
    entryPoints: [path.join(import.meta.dirname, 'src/main.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: EXTERNAL,
    legalComments: 'none',
    logLevel: 'warning',
  });
}

if (process.argv[1] === import.meta.filename) await bundleApp(process.argv[2] ?? path.join(import.meta.dirname, 'dist/main.mjs'));
