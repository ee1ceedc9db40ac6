// Where an appliance's manifest comes from: a shipped name, or a path.
import path from 'node:path';
import { Failure } from '../appliance/failures.ts';
import { loadManifest, type Manifest } from '../appliance/manifest.ts';
import { readCarried } from '../platforms/embedded.ts';
import { carriedRoot } from '../platforms/package-root.ts';

const isName = (appliance: string) => !/[\\/]|\.toml$/.test(appliance);

/** A name is one of the shipped appliances (images/<name>/appliance.toml); anything with a slash is a path. */
export function manifestPath(appliance: string): string {
  if (!isName(appliance)) return path.resolve(appliance);
  return path.join(carriedRoot(), 'images', appliance, 'appliance.toml');
}

/** The appliance's manifest, from a file or from what this ai-way carries. */
export function loadAppliance(appliance: string): Promise<Manifest> {
  if (!isName(appliance)) return loadManifest(manifestPath(appliance), readCarried);
  // A shipped name that is not shipped is not a missing file to the person who typed it.
  return loadManifest(manifestPath(appliance), (file, maxBytes) =>
    readCarried(file, maxBytes).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'ENOENT') throw e;
      throw new Failure('manifest', `no appliance is named "${appliance}"`, {
        fix: 'name one ai-way ships (like selftest), or give the path of an appliance.toml',
      });
    }),
  );
}
