// Where ai-way keeps what its canary container learned about this user's Podman. Its own module:
// the doctor's probe records the file and must not load the Podman code to find it.
import os from 'node:os';
import path from 'node:path';

export function profilePath(): string {
  const cache = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cache, 'ai-way', 'podman-profile.json');
}
