// A process named by pid and start time: a recorded launcher whose pid now belongs to another
// process is gone, whatever `kill -0` says. Real processes, read from this machine's /proc.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { processStartTime, stillRunning, thisLauncher } from '../../platforms/process-identity.ts';
import { podmanRunArgs } from '../../appliance/engines/podman.ts';

describe.skipIf(process.platform !== 'linux')('process identity', () => {
  it('reads the start time of a live process, and none of a gone one', () => {
    expect(processStartTime(process.pid)).toMatch(/^\d+$/);
    const done = spawnSync('true');
    expect(processStartTime(done.pid!)).toBeNull();
  });

  it('the recorded process runs only while both its pid and its start time match', async () => {
    const other = spawn('sleep', ['60']);
    try {
      const start = processStartTime(other.pid!)!;
      expect(stillRunning(other.pid!, start)).toBe(true);
      expect(stillRunning(other.pid!, String(Number(start) + 1))).toBe(false); // the pid was reused
      expect(stillRunning(other.pid!, null)).toBe(true); // an older label: the pid alone
    } finally {
      other.kill();
      await new Promise((resolve) => other.on('close', resolve));
    }
    expect(stillRunning(other.pid!, null)).toBe(false);
  });

  it("sessions are labelled with the launcher's pid and start time", () => {
    const args = podmanRunArgs(
      { globalArgs: [], nofileUlimit: false, userns: 'auto' },
      {
        sessionId: 'a',
        ...thisLauncher(),
        usernsSlot: 0,
        image: 'i',
        command: ['/a'],
        workspaceBytes: 1,
        workspaceExec: false,
        memBytes: 1,
        shmBytes: 1,
        cpus: 1,
        pids: 8,
        gpu: null,
      },
    );
    expect(args.join(' ')).toContain(
      `--label ai-way.launcher-pid=${process.pid} --label ai-way.launcher-start=${processStartTime(process.pid)} `,
    );
  });
});
