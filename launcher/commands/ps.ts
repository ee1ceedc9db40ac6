// `ai-way ps` and `ai-way stop`: the sessions running here, and their end, so that what a killed
// job left (a CI step that timed out) can be cleaned up by the next.
import { Failure } from '../../appliance/failures.ts';
import { EXIT } from '../exit-codes.ts';
import { renderSessions, sessionsJson } from '../render/sessions.ts';
import { styleFor } from '../render/style.ts';
import { findSessions, pick } from '../sessions/found.ts';
import { stopSession } from '../sessions/stop.ts';

export async function psCommand(opts: { json: boolean }): Promise<number> {
  const sessions = (await findSessions()).map((f) => f.session);
  const uid = process.getuid?.();
  process.stdout.write(
    opts.json ? `${JSON.stringify(sessionsJson(sessions, uid), null, 2)}\n` : renderSessions(sessions, uid, styleFor(process.stdout)),
  );
  return EXIT.ok;
}

export async function stopCommand(id: string | undefined, all: boolean): Promise<number> {
  if ((id === undefined) === !all)
    throw new Failure('usage', 'usage: ai-way stop ID | ai-way stop --all', { fix: 'give one session id, or --all' });
  const found = await findSessions();
  const chosen = all ? found : [pick(found, id!)];
  if (!chosen.length) process.stdout.write('No sessions to stop.\n');
  // One after another: each waits for its launcher's wipe, and a failure still lets the others end.
  let failure: Failure | null = null;
  for (const f of chosen) {
    try {
      const how = await stopSession(f);
      const what = `${f.session.appliance ?? 'session'} on ${f.session.platform}`;
      process.stdout.write(
        `stopped ${f.session.id} (${what}): ${how === 'wiped' ? 'its launcher wiped it' : 'its leftovers were reaped'}\n`,
      );
    } catch (e) {
      if (!(e instanceof Failure) || chosen.length === 1) throw e;
      failure = e;
      process.stderr.write(`ai-way: ${e.oneLine()}\n`);
    }
  }
  return failure ? failure.exitCode : EXIT.ok;
}
