// The guests' vm images boot for real, on both architectures, under QEMU's software emulation:
// the agent says hello through the virtio-serial channel (the aarch64 agent's first run anywhere),
// reports the isolation it built inside the guest (the app's own user namespace, the limits of the
// app's own cgroup read back inside, only loopback even where the guest has a network interface),
// the verdict proves it for a VM, the appliance's app answers through the channel, and the guest
// powers off when the channel ends, or when it has no channel at all.
import { describe, expect, it } from 'vitest';
import type { AgentMessage, IsolationReport } from '../../appliance/agent-protocol.ts';
import type { ImageArch, ImageFlavor } from '../../appliance/image-policy.ts';
import type { AgentChannel } from '../../launcher/session/channel.ts';
import { httpRequest } from '../../launcher/session/http.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import { bootVm, cannotBoot, vmImage } from '../support/guest-boot.ts';
import { takeSessionTurns } from '../support/sessions.ts';

// Software emulation on a busy two-core machine: generous, and a hang still fails.
const BOOT_MS = 60_000;
const MiB = 1024 * 1024;
/** What the launcher asks of a guest on its kernel command line, and what the verdict then expects. */
const asked = { isolation: 'vm' as const, workspaceBytes: 64 * MiB, workspaceExec: false, memBytes: 128 * MiB, shmBytes: 32 * MiB };
const limits = { ...asked, cpus: 1, pids: 64, gpuNodes: [] };
const LIMITS = `aiway_shm=${asked.shmBytes} aiway_memory=${asked.memBytes} aiway_pids=64 aiway_cpus=1 aiway_accel=tcg`;

for (const flavor of ['alpine', 'fedora'] as ImageFlavor[])
  for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
    const why = cannotBoot(arch, flavor);
    if (why) console.warn(`SKIPPING the ${flavor} ${arch} guest boot: ${why}`);

    describe.skipIf(why)(`the ${flavor} ${arch} guest`, () => {
      takeSessionTurns();

      // The x86_64 guest has a network interface (as on WSL2 or Lima): its app still has only loopback.
      const nic = arch === 'x86_64';
      const title = `boots, proves its isolation for a VM${nic ? ' with a network interface' : ''}, runs the app`;
      it(`${title}, and powers off at the end of the channel`, { timeout: 3 * BOOT_MS }, async () => {
        const image = vmImage(arch, flavor)!;
        const vm = await bootVm(image, { append: LIMITS, nic });
        try {
          const ch = await vm.channel;
          const hello = await ch.expect<Extract<AgentMessage, { type: 'hello' }>>((m) => m.type === 'hello', BOOT_MS, 'hello');
          expect(hello).toMatchObject({ protocol: 1, arch });
          const report = (await ch.request('REPORT', 'report', 10_000)) as IsolationReport;
          const verdict = verifyIsolation(report, limits);
          expect(verdict.facts.filter((f) => !f.ok || f.warning)).toEqual([]);
          expect(verdict).toMatchObject({ proven: true, limits: { memory: 'cgroup', cpu: 'cgroup', pids: 'cgroup' } });
          // The kernel the app read is the one booted; the accelerator is what the command line told.
          expect(verdict.machine).toEqual({ kernel: report.kernel.release, arch, accelerator: 'tcg' });
          expect(image.sources.some((s) => s.what.startsWith(`Debian package linux-image-${report.kernel.release} `))).toBe(true);
          expect(report).toMatchObject({
            uidMap: [[1000, 1000, 1]],
            gidMap: [[1000, 1000, 1]],
            setgroups: 'deny',
            cgroup: { memoryMax: String(asked.memBytes), pidsMax: '64', cpuMax: '100000 100000' },
            interfaces: ['lo'],
            outbound: { connected: false },
          });
          expect(vm.console()).toContain(`ai-way-init: network interfaces: ${nic ? 'eth0 lo' : 'lo'}`);
          expect(await healthy(ch)).toBe(200);
          const answer = await httpRequest(ch, 8080, 'POST', '/cgi-bin/ask', 'hello from the host', 20_000);
          expect(answer.body).toContain('hello from the host');
          vm.hangUp();
          expect((await vm.exited).code).toBe(0);
          expect(vm.console()).toContain('ai-way-init: the agent exited (0); powering off');
        } finally {
          vm.kill();
        }
      });

      it.skipIf(arch !== 'x86_64')(
        'sizes the workspace and /dev/shm from the kernel command line, and says plainly what its kernel cannot limit',
        { timeout: BOOT_MS },
        async () => {
          const append = `aiway_workspace=${32 * MiB} aiway_shm=${16 * MiB} aiway_memory=${asked.memBytes} cgroup_disable=memory`;
          const vm = await bootVm(vmImage(arch, flavor)!, { append });
          try {
            const ch = await vm.channel;
            await ch.expect((m) => m.type === 'hello', BOOT_MS, 'hello');
            const report = (await ch.request('REPORT', 'report', 10_000)) as IsolationReport;
            expect(report).toMatchObject({ workspace: { sizeBytes: 32 * MiB }, shm: { sizeBytes: 16 * MiB } });
            // A kernel without the memory controller: the app's cgroup has none, and no tick is given for it.
            expect(report.cgroup).toMatchObject({ memoryMax: null, controllers: expect.not.arrayContaining(['memory']) });
            const memory = verifyIsolation(report, { ...limits, workspaceBytes: 32 * MiB, shmBytes: 16 * MiB }).facts.find(
              (f) => f.id === 'memory-limit',
            );
            expect(memory).toMatchObject({
              ok: true,
              warning: true,
              detail: expect.stringMatching(/^memory: not enforced .*no memory controller/),
            });
            expect(vm.console()).toContain("ai-way-agent: the app's memory is not limited: the memory controller cannot be enabled here");
            vm.hangUp();
            expect((await vm.exited).code).toBe(0);
          } finally {
            vm.kill();
          }
        },
      );

      it.skipIf(arch !== 'x86_64')('powers off by itself, saying why, when it has no channel', { timeout: BOOT_MS }, async () => {
        const vm = await bootVm(vmImage(arch, flavor)!, { noChannel: true });
        try {
          expect((await vm.exited).code).toBe(0);
          expect(vm.console()).toContain('ai-way-init: no virtio-serial port named ai-way; powering off');
        } finally {
          vm.kill();
        }
      });
    });
  }

/** The app's health answer, asked again until it listens (as a session asks, every 50 ms). */
async function healthy(ch: AgentChannel): Promise<number> {
  const until = performance.now() + 20_000;
  for (;;) {
    const answer = await httpRequest(ch, 8080, 'GET', '/health', '', 5_000).catch((e: Error) => e);
    if (!(answer instanceof Error)) return answer.status;
    if (performance.now() > until) throw answer;
    await new Promise((r) => setTimeout(r, 50));
  }
}
