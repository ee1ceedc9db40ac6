// Runs a TypeScript build tool of packaging/ from the scripts: bundled by esbuild into build/tools,
// imported, and removed after. The bundle's own sum is the build code's identity, part of every
// image's cache key: changed build code builds anew.
import { build } from 'esbuild';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';

/** `use(module, builder)` with the tool's exports and its sum; returns what `use` returns. */
export async function withBuildTool(root, entry, use) {
  const tool = path.join(root, 'build', 'tools', `${path.basename(entry, '.ts')}.mjs`);
  await build({
    entryPoints: [path.join(root, entry)],
    outfile: tool,
    bundle: true,
    platform: 'node',
    format: 'esm',
    // The ai-way image bundles its app with esbuild itself.
    external: ['esbuild'],
    logLevel: 'warning',
  });
  try {
    return await use(await import(tool), createHash('sha256').update(readFileSync(tool)).digest('hex'));
  } finally {
    rmSync(path.dirname(tool), { recursive: true, force: true });
  }
}
