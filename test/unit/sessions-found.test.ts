// The pure parts of `ai-way ps` and `ai-way stop`: a session from what each way names it by, its
// start as wall-clock time, the id a prefix names, and the table and JSON shown.
import { describe, expect, it } from 'vitest';
import { Failure } from '../../appliance/failures.ts';
import { pick } from '../../launcher/sessions/found.ts';
import { renderSessions, sessionsJson } from '../../launcher/render/sessions.ts';
import { sessionsOfContainers } from '../../platforms/linux/podman.ts';
import { instanceSessions } from '../../platforms/lima/reap.ts';
import { vmSessions } from '../../platforms/qemu/reap.ts';
import { sessionOf, startedAt, type SessionFound } from '../../platforms/sessions.ts';
import { distroSessions } from '../../platforms/wsl2/reap.ts';
import { styleFor } from '../../launcher/render/style.ts';

const alive = (pid: number) => pid === 100;
const plain = styleFor({ isTTY: false });

describe('a session found where it lives', () => {
  it('is running while its launcher runs, orphaned once it is gone, and takes its start from the launcher', () => {
    const owner = { sessionId: 'a1', launcherPid: 100, launcherStart: '250' };
    expect(sessionOf('qemu', 'ai-way-a1-100-250', owner, {}, alive, 1_000_000)).toEqual({
      id: 'a1',
      platform: 'qemu',
      appliance: null,
      started: new Date(1_000_002_500).toISOString(),
      launcherPid: 100,
      state: 'running',
      holder: 'ai-way-a1-100-250',
    });
    expect(sessionOf('qemu', 'x', { ...owner, launcherPid: 7 }, {}, alive, null)).toMatchObject({ state: 'orphaned', started: null });
    expect(sessionOf('linux', 'x', { ...owner, launcherPid: null }, {}, () => true)).toMatchObject({ state: 'orphaned' });
    expect([startedAt(null, 5), startedAt('12x', 5), startedAt('100', null)]).toEqual([null, null, null]);
  });

  it('is read from each way: container labels, QEMU names, Lima instances, WSL distributions; others are not ai-way’s', () => {
    const container = { id: 'c', name: 'ai-way-b2', sessionId: 'b2', launcherPid: 100, launcherStart: null, appliance: 'selftest' };
    expect(sessionsOfContainers([{ ...container, created: '2026-01-01T00:00:00.000Z' }], alive)).toEqual([
      expect.objectContaining({
        id: 'b2',
        platform: 'linux',
        appliance: 'selftest',
        started: '2026-01-01T00:00:00.000Z',
        state: 'running',
      }),
    ]);
    const qemu = [
      { pid: 5, args: ['/usr/bin/qemu-system-x86_64', '-name', 'ai-way-c3-101-9'] },
      { pid: 6, args: ['/usr/bin/qemu-system-x86_64', '-name', 'theirs'] },
      { pid: 7, args: ['bash', '-name', 'ai-way-c3-101-9'] },
    ];
    expect(vmSessions(qemu, alive)).toEqual([expect.objectContaining({ id: 'c3', platform: 'qemu', launcherPid: 101, state: 'orphaned' })]);
    const lima = JSON.stringify([
      { name: 'ai-way-d4-100-unknown', status: 'Running' },
      { name: 'default', status: 'Running' },
    ]);
    expect(instanceSessions(lima, alive)).toEqual([expect.objectContaining({ id: 'd4', platform: 'lima', state: 'running' })]);
    expect(distroSessions(['Ubuntu', 'ai-way-e5-100-3\r'], alive)).toEqual([
      expect.objectContaining({ id: 'e5', platform: 'wsl2', holder: 'ai-way-e5-100-3' }),
    ]);
  });
});

const session = (id: string, state: SessionFound['state'] = 'running'): { session: SessionFound } => ({
  session: {
    id,
    platform: 'linux',
    appliance: 'selftest',
    started: '2026-11-30T10:00:00.000Z',
    launcherPid: 42,
    state,
    holder: `ai-way-${id}`,
  },
});

describe('the session an id names', () => {
  const found = [session('0a1b2c3d4e5f'), session('0a9999999999'), session('ffffffffffff')];

  it('is the one with that id, or the one that begins with it', () => {
    expect(pick(found, 'ffffffffffff')).toBe(found[2]);
    expect(pick(found, '0a1')).toBe(found[0]);
  });

  it('is none, in one line, when no session or several begin with it', () => {
    expect(() => pick(found, '0a')).toThrow(/^"0a" begins 2 sessions \(0a1b2c3d4e5f, 0a9999999999\): give more of the id$/);
    expect(() => pick(found, 'zz')).toThrow(new Failure('session', 'no session of this user has the id "zz"'));
    expect(new Failure('session', 'x').exitCode).toBe(3);
  });
});

describe('what ps shows', () => {
  const sessions = [session('0a1b2c3d4e5f').session, session('ffffffffffff', 'orphaned').session];

  it('a table, with what an orphan is and whose sessions root sees', () => {
    expect(renderSessions(sessions, 1000, plain)).toBe(
      [
        'ID            APPLIANCE  PLATFORM  STARTED               PID  STATE',
        '0a1b2c3d4e5f  selftest   linux     2026-11-30 10:00:00Z  42   running',
        'ffffffffffff  selftest   linux     2026-11-30 10:00:00Z  42   orphaned',
        '',
        'orphaned: its launcher is gone; "ai-way stop ID" (or the next start) removes what it left.',
        '',
      ].join('\n'),
    );
    expect(renderSessions(sessions, 0, plain)).toMatch(/\(as root: root's Podman sessions and every user's QEMU virtual machines\)\n$/);
    expect(renderSessions([], 1000, plain)).toBe("No sessions (this user's sessions).\n");
  });

  it('the same as JSON: id, appliance, platform, started, pid, state', () => {
    expect(sessionsJson(sessions.slice(0, 1), 1000)).toEqual({
      whose: 'user',
      sessions: [
        {
          id: '0a1b2c3d4e5f',
          appliance: 'selftest',
          platform: 'linux',
          started: '2026-11-30T10:00:00.000Z',
          pid: 42,
          state: 'running',
          holder: 'ai-way-0a1b2c3d4e5f',
        },
      ],
    });
  });
});
