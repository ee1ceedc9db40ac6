// What `ai-way ps` shows: one row a session, and the same as data for --json.
import type { SessionFound } from '../../platforms/sessions.ts';
import type { Style } from './style.ts';

/** Whose sessions these are: a user sees their own; root sees root's Podman and every user's virtual machines. */
export const whoseSessions = (uid: number | undefined): string =>
  uid === 0 ? "as root: root's Podman sessions and every user's QEMU virtual machines" : "this user's sessions";

/** The JSON `ai-way ps --json` prints. Pure. */
export const sessionsJson = (sessions: readonly SessionFound[], uid: number | undefined) => ({
  whose: uid === 0 ? 'root' : 'user',
  sessions: sessions.map((s) => ({
    id: s.id,
    appliance: s.appliance,
    platform: s.platform,
    started: s.started,
    pid: s.launcherPid,
    state: s.state,
    holder: s.holder,
  })),
});

/** The table `ai-way ps` prints. Pure. */
export function renderSessions(sessions: readonly SessionFound[], uid: number | undefined, s: Style): string {
  if (!sessions.length) return `No sessions (${whoseSessions(uid)}).\n`;
  const rows = sessions.map((x) => [
    x.id,
    x.appliance ?? '?',
    x.platform,
    x.started ? x.started.replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '?',
    x.launcherPid === null ? '?' : String(x.launcherPid),
    x.state,
  ]);
  const head = ['ID', 'APPLIANCE', 'PLATFORM', 'STARTED', 'PID', 'STATE'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (r: string[]) =>
    r
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  const body = rows.map((r) => (r[5] === 'orphaned' ? s.yellow(line(r)) : line(r)));
  const orphans = sessions.some((x) => x.state === 'orphaned')
    ? ['', 'orphaned: its launcher is gone; "ai-way stop ID" (or the next start) removes what it left.']
    : [];
  const root = uid === 0 ? ['', `(${whoseSessions(uid)})`] : [];
  return `${[s.bold(line(head)), ...body, ...orphans, ...root].join('\n')}\n`;
}
