// Ends one session the way its launcher would: SIGTERM to a live launcher makes it wipe (as Ctrl-C
// does); a session whose launcher is gone has its leftovers reaped, as the next start would.
import { Failure } from '../../appliance/failures.ts';
import { processAlive } from '../../platforms/process-identity.ts';
import type { Found } from './found.ts';

/** A launcher wipes within its agent's grace and Podman's stop: beyond this it is stuck. */
const WIPE_WAIT_MS = 30_000;
/** A launcher that ended without wiping (killed meanwhile) leaves what reaping removes. */
const POLL_MS = 200;

export type Stopped = 'wiped' | 'reaped';

/** Ends the session; resolves once the way no longer lists it, or throws a Failure (not-stopped). */
export async function stopSession({ session, adapter }: Found, waitMs = WIPE_WAIT_MS): Promise<Stopped> {
  const gone = async () => !(await adapter.sessions()).some((s) => s.id === session.id);
  const pid = session.launcherPid;
  if (session.state === 'running' && pid !== null && signal(pid)) {
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline && processAlive(pid)) {
      if (await gone()) return 'wiped';
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    if (await gone()) return 'wiped';
    if (processAlive(pid))
      throw new Failure('not-stopped', `session ${session.id}'s launcher (pid ${pid}) did not end within ${waitMs / 1000} s`);
  }
  await adapter.reap();
  if (await gone()) return 'reaped';
  throw new Failure('not-stopped', `session ${session.id} (${session.holder}) could not be removed`);
}

/** SIGTERM to the launcher; false when it was gone already. Another user's is not this user's to end. */
function signal(pid: number): boolean {
  try {
    process.kill(pid, 'SIGTERM');
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EPERM') throw new Failure('not-stopped', `the launcher (pid ${pid}) is another user's`);
    return false;
  }
}
