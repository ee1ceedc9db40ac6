// The QEMU adapter, for real, on both architectures: the selftest guest prepared and started as a
// launch does it, the agent's isolation report judged (every fact proven, the app's
// limits too), a file in, an answer from the app, the wipe (the guest powers off at the channel's end),
// and nothing left: no QEMU, no file in the temp folder or the cache. Then the accelerator's test
// boot on this machine, and the reaping of a crashed session's virtual machine.
import { spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type AgentMessage, command } from '../../appliance/agent-protocol.ts';
import type { ImageArch } from '../../appliance/image-policy.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import type { Manifest } from '../../appliance/manifest.ts';
import { askedLimits } from '../../appliance/plan.ts';
import { AgentChannel } from '../../launcher/session/channel.ts';
import { uploadFile } from '../../launcher/session/files.ts';
import { httpRequest } from '../../launcher/session/http.ts';
import { Launch } from '../../launcher/session/launch.ts';
import { processStartTime } from '../../platforms/process-identity.ts';
import { liveKvm, probeBoot, startVm } from '../../platforms/qemu/vm-process.ts';
import { dieWithLauncher, probeCommand, vmName } from '../../platforms/qemu/command.ts';
import { adapterEntry } from '../../platforms/registry.ts';
import { cannotBoot, vmImage } from '../support/guest-boot.ts';
import { takeSessionTurns } from '../support/sessions.ts';
import { ended, expectGuestFacts, stillRunningAfter, vmsOf, waitFor } from '../support/vm-sessions.ts';

const BOOT_MS = 60_000;
const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-qemu-files-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// What the adapter may write on the host: nothing, so these stay empty while it runs.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ai-way-qemu-tmp-'));
const cache = mkdtempSync(path.join(os.tmpdir(), 'ai-way-qemu-cache-'));
afterAll(() => {
  for (const d of [tmp, cache]) rmSync(d, { recursive: true, force: true });
});

/** Runs `f` with the temp folder and the cache pointed at the empty folders above (the session turn's lock stays where it is). */
async function withOwnFolders<T>(f: () => Promise<T>): Promise<T> {
  const saved = { TMPDIR: process.env.TMPDIR, XDG_CACHE_HOME: process.env.XDG_CACHE_HOME };
  Object.assign(process.env, { TMPDIR: tmp, XDG_CACHE_HOME: cache });
  try {
    return await f();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
  const why = cannotBoot(arch);
  if (why) console.warn(`SKIPPING the QEMU adapter on ${arch}: ${why}`);

  describe.skipIf(why)(`the QEMU adapter, ${arch} guest`, () => {
    takeSessionTurns();

    it(
      'boots the selftest guest: isolation proven from inside, a file in, an answer, the wipe, nothing left',
      { timeout: 3 * BOOT_MS },
      () =>
        withOwnFolders(async () => {
          const launch = new Launch('selftest', { image: 'auto', gpu: 'auto', platform: 'qemu', arch });
          const { report, spec } = await launch.examine();
          const plan = launch.plan(report, spec as Manifest);
          const adapter = await adapterEntry('qemu').load();
          const warnings: string[] = [];
          const context = { sessionId: randomBytes(6).toString('hex'), host: report, warning: (w: string) => warnings.push(w) };
          await adapter.prepare(plan, context);
          const guest = await adapter.start(plan, context);
          const [qemu] = await waitFor(() => vmsOf(process.pid), 5_000);
          try {
            expect(qemu).toBeDefined();
            expect(guest.machine).toEqual({
              flavor: 'alpine',
              arch,
              kernel: expect.stringMatching(/-cloud-(amd64|arm64)$/),
              accelerator: 'tcg',
            });
            const pipe = guest.channel();
            const ch = new AgentChannel(pipe.toAgent, pipe.fromAgent, () => undefined);
            const hello = await ch.expect<Extract<AgentMessage, { type: 'hello' }>>((m) => m.type === 'hello', BOOT_MS, 'hello');
            expect(hello.arch).toBe(arch);
            const verdict = verifyIsolation(await ch.request(command.report(), 'report', 10_000), {
              ...askedLimits(plan),
              isolation: plan.isolation.mode,
              gpuNodes: [],
            });
            expectGuestFacts(verdict.facts);

            const text = 'The appliance keeps notes. Notes stay inside.\n';
            const notes = path.join(scratch, `notes-${arch}.txt`);
            writeFileSync(notes, text);
            expect(await uploadFile(ch, notes)).toEqual({
              name: `notes-${arch}.txt`,
              size: text.length,
              sha256: createHash('sha256').update(text).digest('hex'),
            });
            await healthy(ch, plan.appliance.port);
            const answer = await httpRequest(ch, plan.appliance.port, 'POST', '/cgi-bin/ask', 'notes', 20_000);
            expect(answer.body).toContain(`notes: notes-${arch}.txt (2)`);

            await ch.request(command.shutdown(), 'bye', 3_000);
            await guest.wipe(5_000);
            expect((await guest.exited).status).toBe('qemu exit 0');
            expect(guest.logTail(10)).toContain('ai-way-init: the agent exited (0); powering off');
            expect(await stillRunningAfter([qemu!], 1_000)).toEqual([]);
            expect([readdirSync(tmp), readdirSync(cache), warnings]).toEqual([[], [], []]);
          } finally {
            if (qemu && !ended(qemu)) process.kill(qemu, 'SIGKILL');
          }
        }),
    );
  });
}

const x86 = cannotBoot('x86_64');
describe.skipIf(x86)('the QEMU adapter on this machine', () => {
  takeSessionTurns();
  const kernel = () => vmImage('x86_64')!.files.find((f) => f.role === 'kernel')!.path;
  const prefix = dieWithLauncher('linux', true);

  it("proves an accelerator by a test boot: emulation boots a kernel; this machine's KVM only as far as it can", async () => {
    const tcg = await probeBoot(prefix, probeCommand('x86_64', 'tcg', kernel()), 30_000);
    expect(tcg).toMatchObject({ booted: true });
    const kvm = await probeBoot(prefix, probeCommand('x86_64', 'kvm', kernel()));
    const state = liveKvm();
    // A PVM /dev/kvm (this machine's) starts no ordinary kernel: QEMU refuses the host's processor model, or the time-out ends it.
    if (state === 'pvm') expect(kvm).toEqual({ booted: false, detail: expect.stringMatching(/^(qemu-system-x86_64: |no kernel started)/) });
    else if (state === 'present') expect(kvm).toMatchObject({ booted: true });
    else expect(kvm).toMatchObject({ booted: false });
  });

  it("reaps the virtual machine of a launcher that is gone, and leaves a live launcher's", { timeout: BOOT_MS }, async () => {
    const gone = spawnGone();
    const mine = { sessionId: 'bbbbbbbbbbbb', launcherPid: process.pid, launcherStart: processStartTime(process.pid) };
    const hung = (name: string) =>
      startVm(prefix, ['qemu-system-x86_64', '-name', name, '-M', 'pc', '-accel', 'tcg', '-m', '64M', '-nodefaults', '-display', 'none']);
    const orphan = hung(vmName({ sessionId: 'aaaaaaaaaaaa', ...gone }));
    const live = hung(vmName(mine));
    try {
      await new Promise((r) => setTimeout(r, 300));
      const adapter = await adapterEntry('qemu').load();
      expect(await adapter.reap()).toEqual([`the virtual machine of session aaaaaaaaaaaa (QEMU ${orphan.pid})`]);
      expect(await stillRunningAfter([orphan.pid!], 2_000)).toEqual([]);
      expect(ended(live.pid!)).toBe(false);
    } finally {
      for (const q of [orphan, live]) q.kill('SIGKILL');
    }
  });
});

/** A launcher that has ended: the pid and start time of a process that ran and is gone. */
function spawnGone(): { launcherPid: number; launcherStart: string | null } {
  const r = spawnSync('sh', ['-c', 'echo $$; cut -d" " -f22 /proc/$$/stat'], { encoding: 'utf8' });
  const [pid, start] = r.stdout.trim().split('\n');
  return { launcherPid: Number(pid), launcherStart: start ?? null };
}

/** The app's health answer, asked again until it listens. */
async function healthy(ch: AgentChannel, port: number): Promise<void> {
  const until = performance.now() + 20_000;
  for (;;) {
    const answer = await httpRequest(ch, port, 'GET', '/health', '', 5_000).catch((e: Error) => e);
    if (!(answer instanceof Error) && answer.status === 200) return;
    if (performance.now() > until) throw answer instanceof Error ? answer : new Error(`health: HTTP ${answer.status}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
