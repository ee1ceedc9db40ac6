// Where ai-way keeps what its canary container learned about this user's Podman. Its own module:
// the adapter's entry (index.ts) names it for the doctor's probe, and must not load the Podman code.
import os from 'node:os';
import path from 'node:path';

export function profilePath(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'ai-way', 'podman-profile.json');
}
