import os from 'node:os';
import { Failure } from '../../appliance/failures.ts';
import { prepareBundleFolder, writeBundle } from '../../platforms/host/bundle.ts';
import { EXIT } from '../exit-codes.ts';
import { probeHere } from '../host-source.ts';

export async function bundleCollectCommand(dir: string): Promise<number> {
  // The folder first: a place that cannot be written is said at once, not after the probe.
  await atTheFolder(dir, () => prepareBundleFolder(dir));
  const artifacts = await probeHere('full');
  let user: string | null = null;
  try {
    user = os.userInfo().username;
  } catch {
    /* no passwd entry: nothing to hide */
  }
  const { archive } = await atTheFolder(dir, () =>
    writeBundle(dir, artifacts, { username: user, homedir: os.homedir(), hostname: os.hostname() }),
  );
  process.stderr.write(`Support bundle written to ${dir} and ${archive}\n`);
  return EXIT.ok;
}

/** A failure to write the bundle as one line: any error of the file system is the folder's. */
async function atTheFolder<T>(dir: string, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (e instanceof Failure || !code || !/^E[A-Z]+$/.test(code)) throw e;
    throw new Failure('output', `cannot write the bundle to ${dir} (${code})`);
  }
}
