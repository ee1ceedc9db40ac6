import os from 'node:os';
import { BundleError, writeBundle } from '../../platforms/host/bundle.ts';
import { probeHost } from '../../platforms/host/probe.ts';
import { CliError, EXIT } from '../exit-codes.ts';

export async function bundleCollectCommand(dir: string): Promise<number> {
  const artifacts = await probeHost({ depth: 'full' });
  let user: string | null = null;
  try { user = os.userInfo().username; } catch { /* no passwd entry: nothing to hide */ }
  try {
    const { archive } = await writeBundle(dir, artifacts, { username: user, homedir: os.homedir(), hostname: os.hostname() });
    process.stderr.write(`Support bundle written to ${dir} and ${archive}\n`);
    return EXIT.ok;
  } catch (e) {
    if (e instanceof BundleError) throw new CliError(e.message, EXIT.badInput);
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EROFS' || code === 'ENOTDIR') throw new CliError(`cannot write the bundle to ${dir} (${code}): choose a folder you can write to`, EXIT.badInput);
    throw e;
  }
}
