// The ai-way CUDA image (x86_64: node-llama-cpp's CPU, CUDA and CUDA-ext prebuilt packages), made
// by `npm run package` only: 700 MB of NVIDIA's libraries are no part of the tests' build.
import { statSync } from 'node:fs';
import path from 'node:path';
import { withBuildTool } from './build-tool.mjs';

/** Builds it with the same code as the CPU images; returns one line: where it is and its size, or why it was skipped. */
export function buildCudaImage(root, version) {
  return withBuildTool(root, 'packaging/ai-way/build-ai-way-image.ts', async ({ buildAiWayImages }, builder) => {
    const { written, skipped } = await buildAiWayImages({ repo: root, version, builder }, [{ flavour: 'cuda', arch: 'x86_64' }]);
    if (skipped.length) return skipped.join('; ');
    const file = written[0].file;
    return `${path.relative(root, file)} (${(statSync(file).size / 2 ** 20).toFixed(0)} MiB)`;
  });
}
