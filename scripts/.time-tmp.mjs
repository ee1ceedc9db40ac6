import { build } from 'esbuild';
const root = '/work/wt13-image';
await build({
  entryPoints: [root + '/packaging/ai-way/build-ai-way-image.ts'],
  outfile: '/work/wt13-image/build/t-tmp.mjs',
  bundle: true,
  platform: 'node',
  format: 'esm',
  external: ['esbuild'],
  logLevel: 'warning',
});
const { buildAiWayImages } = await import('/work/wt13-image/build/t-tmp.mjs?' + Date.now());
const t = performance.now();
const r = await buildAiWayImages(root, '0.1.0', process.argv[2] ?? 'b');
console.log(
  ((performance.now() - t) / 1000).toFixed(1),
  's',
  r.skipped,
  r.written.map((w) => w.file),
);
