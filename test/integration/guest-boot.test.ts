// The guests' vm images boot for real, on both architectures, under QEMU's software emulation:
// the agent says hello through the virtio-serial channel (the aarch64 agent's first run anywhere),
// reports the isolation it built inside the guest, the appliance's app answers through the channel,
// and the guest powers off when the channel ends, or when it has no channel at all.
import { describe, expect, it } from 'vitest';
import type { AgentMessage } from '../../appliance/agent-protocol.ts';
import type { ImageArch, ImageFlavor } from '../../appliance/image-policy.ts';
import type { AgentChannel } from '../../launcher/session/channel.ts';
import { httpRequest } from '../../launcher/session/http.ts';
import { bootVm, cannotBoot, vmImage } from '../support/guest-boot.ts';

// Software emulation on a busy two-core machine: generous, and a hang still fails.
const BOOT_MS = 60_000;

for (const flavor of ['alpine', 'fedora'] as ImageFlavor[])
  for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
    const why = cannotBoot(arch, flavor);
    if (why) console.warn(`SKIPPING the ${flavor} ${arch} guest boot: ${why}`);

    describe.skipIf(why)(`the ${flavor} ${arch} guest`, () => {
      it('boots, reports its isolation, runs the app, and powers off at the end of the channel', { timeout: 3 * BOOT_MS }, async () => {
        const vm = await bootVm(vmImage(arch, flavor)!);
        try {
          const ch = await vm.channel;
          const hello = await ch.expect<Extract<AgentMessage, { type: 'hello' }>>((m) => m.type === 'hello', BOOT_MS, 'hello');
          expect(hello).toMatchObject({ protocol: 1, arch });
          const report = (await ch.request('REPORT', 'report', 10_000)) as Record<string, unknown>;
          expect(report).toMatchObject({
            interfaces: ['lo'],
            outbound: { connected: false },
            rootReadOnly: true,
            writableMounts: ['/dev/shm', '/workspace'],
            capEff: '0000000000000000',
            noNewPrivs: 1,
            seccomp: 2,
            uid: 1000,
            workspace: { path: '/workspace', fstype: 'tmpfs', sizeBytes: 64 * 1024 * 1024 },
          });
          const options = (report.workspace as { options: string }).options.split(',');
          expect(options).toEqual(expect.arrayContaining(['nodev', 'nosuid', 'noexec']));
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

      it.skipIf(arch !== 'x86_64')('sizes the workspace and /dev/shm from the kernel command line', { timeout: BOOT_MS }, async () => {
        const vm = await bootVm(vmImage(arch, flavor)!, { append: `aiway_workspace=${32 * 1024 * 1024} aiway_shm=${16 * 1024 * 1024}` });
        try {
          const ch = await vm.channel;
          await ch.expect((m) => m.type === 'hello', BOOT_MS, 'hello');
          const report = (await ch.request('REPORT', 'report', 10_000)) as Record<string, unknown>;
          expect(report).toMatchObject({ workspace: { sizeBytes: 32 * 1024 * 1024 }, shm: { sizeBytes: 16 * 1024 * 1024 } });
          vm.hangUp();
          expect((await vm.exited).code).toBe(0);
        } finally {
          vm.kill();
        }
      });

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
