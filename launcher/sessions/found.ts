// The sessions `ai-way ps` and `ai-way stop` see: every way's own list (each adapter finds what it
// made), and the one an id names. A way this host lacks (no Podman, no wsl.exe) lists none.
import { Failure } from '../../appliance/failures.ts';
import type { Adapter } from '../../platforms/adapter.ts';
import { ADAPTERS } from '../../platforms/registry.ts';
import type { SessionFound } from '../../platforms/sessions.ts';

/** A session and the adapter that holds it (which reaps it when its launcher is gone). */
export interface Found {
  session: SessionFound;
  adapter: Adapter;
}

/** This user's sessions on every way, oldest first. */
export async function findSessions(): Promise<Found[]> {
  const adapters = await Promise.all(ADAPTERS.map((a) => a.load().catch(() => null)));
  const lists = await Promise.all(
    adapters.map(async (adapter) => (adapter ? (await adapter.sessions()).map((session) => ({ session, adapter })) : [])),
  );
  return lists.flat().sort((a, b) => (a.session.started ?? '').localeCompare(b.session.started ?? ''));
}

/** The session `id` names: itself, or the one session whose id begins with it. Pure. */
export function pick<T extends { session: SessionFound }>(found: readonly T[], id: string): T {
  const exact = found.find((f) => f.session.id === id);
  if (exact) return exact;
  const begun = found.filter((f) => f.session.id.startsWith(id));
  if (begun.length === 1) return begun[0]!;
  if (begun.length > 1) {
    throw new Failure(
      'session',
      `"${id}" begins ${begun.length} sessions (${begun.map((f) => f.session.id).join(', ')}): give more of the id`,
    );
  }
  throw new Failure('session', `no session of this user has the id "${id}"`);
}
