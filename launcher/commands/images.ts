// `ai-way images`: what this ai-way carries, read from its own list (a checkout's build/, or the
// single executable's assets), file paths as they are here.
import path from 'node:path';
import { CARRIED_IMAGES_FILE } from '../../appliance/guest-images.ts';
import { loadCarriedImages } from '../../platforms/carried-images.ts';
import { isSingleExecutable } from '../../platforms/embedded.ts';
import { EXIT } from '../exit-codes.ts';
import { carriedRoot } from '../../platforms/package-root.ts';
import { renderImages } from '../render/images.ts';
import { styleFor } from '../render/style.ts';

export async function imagesCommand(opts: { json: boolean }): Promise<number> {
  const root = carriedRoot();
  const carried = await loadCarriedImages(root);
  const here = {
    ...carried,
    images: carried.images.map((i) => ({ ...i, files: i.files.map((f) => ({ ...f, path: path.join(root, f.path) })) })),
  };
  const listedIn = isSingleExecutable() ? 'inside this executable' : path.join(root, CARRIED_IMAGES_FILE);
  process.stdout.write(opts.json ? `${JSON.stringify(here, null, 2)}\n` : renderImages(here, listedIn, styleFor(process.stdout)));
  return EXIT.ok;
}
