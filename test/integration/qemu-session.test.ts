// The launcher killed with SIGKILL while its virtual machine's guest hangs (busybox's sleep as the
// init: no agent will ever see the channel end and power off): QEMU dies with the launcher, and
// nothing is left within 5 s, on both architectures.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ImageArch } from '../../appliance/image-policy.ts';
import { cannotBoot } from '../support/guest-boot.ts';
import { endRuns, type Run, startRun, takeSessionTurns } from '../support/sessions.ts';
import { hungGuest, stillRunningAfter, vmRunner, vmsOf, waitFor } from '../support/vm-sessions.ts';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-qemu-session-'));
const runs: Run[] = [];
const folders: string[] = [scratch];
afterAll(async () => {
  await endRuns(runs);
  for (const d of folders) rmSync(d, { recursive: true, force: true });
});

for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
  const why = cannotBoot(arch);
  if (why) console.warn(`SKIPPING the SIGKILL of a QEMU session on ${arch}: ${why}`);

  describe.skipIf(why)(`a QEMU session, ${arch} guest`, () => {
    takeSessionTurns();

    it('SIGKILL of the launcher while the guest hangs: no QEMU and no file left within 5 s', { timeout: 60_000 }, async () => {
      const runner = vmRunner();
      folders.push(runner.tmp, runner.cache);
      const run = startRun(runner, ['--platform', 'qemu', '--arch', arch, '--hold'], ['--require', hungGuest(scratch)]);
      runs.push(run);
      const vms = await waitFor(() => vmsOf(run.child.pid!), 30_000);
      try {
        expect(vms).toHaveLength(1);
        // Past the time a guest takes to boot and answer: this one's init sleeps and will never open the channel.
        await new Promise((r) => setTimeout(r, arch === 'x86_64' ? 3_500 : 3_000));
        expect([await stillRunningAfter(vms, 0), run.events.filter((e) => e.type !== 'progress')]).toEqual([vms, []]);
        run.child.kill('SIGKILL');
        expect(await stillRunningAfter(vms, 5_000)).toEqual([]);
        expect([readdirSync(runner.tmp), readdirSync(runner.cache)]).toEqual([[], []]);
      } finally {
        for (const pid of await stillRunningAfter(vms, 0)) process.kill(pid, 'SIGKILL');
      }
    });
  });
}
