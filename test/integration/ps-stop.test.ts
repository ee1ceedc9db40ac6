// `ai-way ps` and `ai-way stop` against real rootless sessions of the selftest appliance, two at once:
// what ps lists, stop of one (its launcher wipes it, the other lives on), a launcher killed with
// SIGKILL (its session listed as orphaned until stop reaps it), and stop --all. Only the sessions
// these tests start are looked at: others may run on this machine.
import { describe, expect, it } from 'vitest';
import { rootlessUnavailable } from '../support/rootless.ts';
import { childrenOf, rootless, rootlessRuns, sessionContainers, takeSessionTurns, type Run } from '../support/sessions.ts';
import { EXIT } from '../../launcher/exit-codes.ts';

const why = rootlessUnavailable();
if (why) console.warn(`SKIPPING ps and stop with real sessions: ${why}`);

/** `ai-way ARGS` as the test user, to its end. */
function aiWay(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  const child = rootless.aiWay(args);
  const out: string[] = [];
  const err: string[] = [];
  child.stdout!.on('data', (b) => out.push(String(b)));
  child.stderr!.on('data', (b) => err.push(String(b)));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, out: out.join(''), err: err.join('') })));
}

const ps = async (): Promise<any[]> => {
  const r = await aiWay(['ps', '--json']);
  expect([r.code, r.err]).toEqual([EXIT.ok, '']);
  return JSON.parse(r.out).sessions;
};
const rowOf = (rows: any[], run: Run): any => rows.find((r) => r.pid === run.launcher);

/** The processes under `pid`, deepest first. */
const descendants = (pid: number): number[] => childrenOf(pid).flatMap((c) => [...descendants(c), c]);

describe.skipIf(why !== null)('ps and stop, with real rootless sessions', () => {
  takeSessionTurns();
  const { start, noLeftovers } = rootlessRuns();

  it('ps lists two sessions; stop ends one (the other lives); a SIGKILLed launcher is orphaned until stop reaps it', async () => {
    const [a, b] = [start(['--hold']), start(['--hold'])];
    await Promise.all([a.next('ready', 120_000), b.next('ready', 120_000)]);
    const began = Date.now();
    const rows = await ps();
    const psMs = Date.now() - began;
    for (const run of [a, b]) {
      const row = rowOf(rows, run);
      expect(row).toMatchObject({ appliance: 'selftest', platform: 'linux', state: 'running', pid: run.launcher });
      expect(row.id).toMatch(/^[0-9a-f]{12}$/);
      expect(Math.abs(Date.parse(row.started) - Date.now())).toBeLessThan(10 * 60_000);
      expect(sessionContainers(rootless, run.launcher!)).toEqual([`ai-way-${row.id}`]);
    }
    const table = await aiWay(['ps']);
    expect(table.out).toMatch(/^ID +APPLIANCE +PLATFORM +STARTED +PID +STATE\n/);
    expect(table.out).toContain(`${rowOf(rows, a).id}  selftest   linux`);

    // Stop a by a start of its id: its launcher wipes it and ends; b runs on.
    const stopped = await aiWay(['stop', rowOf(rows, a).id.slice(0, 6)]);
    expect([stopped.code, stopped.err]).toEqual([EXIT.ok, '']);
    expect(stopped.out).toBe(`stopped ${rowOf(rows, a).id} (selftest on linux): its launcher wiped it\n`);
    await a.next('wiped');
    expect(await a.exit).toBe(EXIT.ok);
    expect(await noLeftovers(a)).toEqual([]);
    const after = await ps();
    expect(rowOf(after, a)).toBeUndefined();
    expect(rowOf(after, b)).toMatchObject({ state: 'running' });

    // SIGKILL b's launcher, its Podman held still so that the dead man's switch cannot end the
    // container first: what a crash the switch missed leaves.
    const held = descendants(b.launcher!);
    for (const pid of held) process.kill(pid, 'SIGSTOP');
    try {
      process.kill(b.launcher!, 'SIGKILL');
      await b.exit;
      const orphan = rowOf(await ps(), b);
      expect(orphan).toMatchObject({ state: 'orphaned', appliance: 'selftest' });
      expect((await aiWay(['ps'])).out).toContain('orphaned: its launcher is gone');
      const reaped = await aiWay(['stop', orphan.id]);
      expect([reaped.code, reaped.out]).toEqual([EXIT.ok, `stopped ${orphan.id} (selftest on linux): its leftovers were reaped\n`]);
      expect(sessionContainers(rootless, b.launcher!)).toEqual([]);
    } finally {
      // Let them go on: they find their container gone and end as after any wipe (a SIGKILL here
      // could leave Podman's storage half-written for the next start).
      for (const pid of held) process.kill(pid, 'SIGCONT');
    }
    expect(await noLeftovers(b)).toEqual([]);
    // The same id again: gone, said in one line.
    const again = await aiWay(['stop', rowOf(rows, b).id]);
    expect([again.code, again.out, again.err]).toEqual([
      EXIT.badInput,
      '',
      `ai-way: no session of this user has the id "${rowOf(rows, b).id}"; see "ai-way ps" for the sessions there are\n`,
    ]);
    console.log(`ps with two sessions: ${psMs} ms`);
  }, 240_000);

  it('stop --all ends every session, and nothing is left', async () => {
    const [a, b] = [start(['--hold']), start(['--hold'])];
    await Promise.all([a.next('ready', 120_000), b.next('ready', 120_000)]);
    const began = Date.now();
    const r = await aiWay(['stop', '--all']);
    const stopMs = Date.now() - began;
    expect([r.code, r.err]).toEqual([EXIT.ok, '']);
    for (const run of [a, b]) {
      expect(await run.exit).toBe(EXIT.ok);
      expect(await noLeftovers(run)).toEqual([]);
    }
    expect((await ps()).filter((row) => row.pid === a.launcher || row.pid === b.launcher)).toEqual([]);
    console.log(`stop --all of two sessions: ${stopMs} ms`);
  }, 240_000);

  it('stop wants one id or --all', async () => {
    for (const args of [['stop'], ['stop', 'abc', '--all']]) {
      const r = await aiWay(args);
      expect([r.code, r.out, r.err]).toEqual([
        EXIT.usage,
        '',
        'ai-way: usage: ai-way stop ID | ai-way stop --all; give one session id, or --all\n',
      ]);
    }
  });
});
