// The Lima adapter's own code through a whole life on this Linux machine, with the stand-in limactl
// (test/support/limactl-stand-in.sh: real instances in ai-way's Lima home, the real guest root and
// agent in Linux namespaces): a launcher killed mid-session leaves its instance running, and the
// next launch reaps it before its own session; then nothing is left.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { limaInstances, standInEnv, standInUnavailable } from '../support/lima-stand-in.ts';
import { endRuns, type Run, startRun, takeSessionTurns } from '../support/sessions.ts';
import { stillRunningAfter, vmRunner } from '../support/vm-sessions.ts';

const why = standInUnavailable();
const runs: Run[] = [];
afterAll(() => endRuns(runs));

describe.skipIf(why)('Lima sessions through the stand-in limactl', () => {
  takeSessionTurns();

  it('reaps the instance of a launcher killed mid-session at the next start', { timeout: 60_000 }, async () => {
    const runner = vmRunner(standInEnv());
    const first = startRun(runner, ['--platform', 'lima', '--hold']);
    runs.push(first);
    expect(await first.next('ready', 30_000)).toMatchObject({ platform: 'lima', guest: { flavor: 'alpine', accelerator: 'qemu' } });
    const [left] = limaInstances(runner.cache);
    expect(left).toMatch(new RegExp(`^ai-way-[0-9a-f]+-${first.child.pid}-\\d+$`));
    const home = path.join(runner.cache, 'ai-way', 'lima', left!);
    const vm = Number(readFileSync(path.join(home, 'stand-in.vm'), 'utf8'));

    first.child.kill('SIGKILL');
    await first.exit;
    // Lima's host agent outlives its launcher: the instance is still there, running.
    expect([limaInstances(runner.cache), readFileSync(path.join(home, 'stand-in.status'), 'utf8').trim()]).toEqual([[left], 'Running']);

    const second = startRun(runner, ['--platform', 'lima', '--hold']);
    runs.push(second);
    expect((await second.next('warning', 30_000)).message).toBe('removed 1 session(s) left by an earlier crash');
    await second.next('ready', 30_000);
    expect(limaInstances(runner.cache)).not.toContain(left);
    expect(await stillRunningAfter([vm], 5_000)).toEqual([]);
    second.send({ op: 'quit' });
    await second.next('wiped');
    expect(limaInstances(runner.cache)).toEqual([]);
  });
});

if (why) console.warn(`SKIPPING the Lima sessions: ${why}`);
