// One session scenario over every way to Linux that can run here: native Linux (rootful Podman),
// QEMU virtual machines of both architectures, and Lima through the stand-in limactl (no Mac here).
// The same run of the CLI: isolation proven from inside, ready (saying where), a file in, an answer,
// the list, quit, the wipe, and nothing left. WSL2 runs the same scenario through its adapter's own
// code and the wsl.exe stand-in: the CLI here plans for this Linux host, where WSL2 does not apply.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../launcher/exit-codes.ts';
import { cannotBoot } from '../support/guest-boot.ts';
import { limaInstances, standInEnv, standInUnavailable } from '../support/lima-stand-in.ts';
import { rootlessUnavailable } from '../support/rootless.ts';
import { type Run, sessionScratch, sessionContainers, startRun, takeSessionTurns } from '../support/sessions.ts';
import { expectGuestFacts, stillRunningAfter, vmRunner, vmsOf, waitFor } from '../support/vm-sessions.ts';
import { useWslStandIn, windowsPlan, wslLeftovers, wslStandInUnavailable } from '../support/wsl-sessions.ts';
import { Session } from '../../launcher/session/session.ts';
import type { SessionEvent } from '../../launcher/session/events.ts';
import { adapterEntry } from '../../platforms/registry.ts';

const asRoot = process.getuid?.() === 0 ? null : 'rootful Podman needs root';
const WAYS = [
  { name: 'linux', args: ['--platform', 'linux'], arch: null, why: asRoot ?? rootlessUnavailable() },
  { name: 'qemu x86_64', args: ['--platform', 'qemu', '--arch', 'x86_64'], arch: 'x86_64', why: cannotBoot('x86_64') },
  { name: 'qemu aarch64', args: ['--platform', 'qemu', '--arch', 'aarch64'], arch: 'aarch64', why: cannotBoot('aarch64') },
  { name: 'lima (stand-in limactl)', args: ['--platform', 'lima', '--arch', 'x86_64'], arch: 'x86_64', why: standInUnavailable() },
] as const;
const LIMITS_V1 = ['memory-limit', 'cpu-limit'];
const platformOf = (way: (typeof WAYS)[number]) => way.args[1];

// Podman's own runtime folders in the temp folder persist by design (as in the rootless session tests).
const PODMAN_RUNTIME = /^(podman-run-|containers-user-|storage-run-|run-\d)/;

const { scratch, runs, folders } = sessionScratch('ai-way-parity-');

describe('the same session over every way to Linux here', () => {
  takeSessionTurns();

  for (const way of WAYS) {
    if (way.why) console.warn(`SKIPPING the ${way.name} session of the parity scenario: ${way.why}`);

    it.skipIf(way.why)(
      `${way.name}: proof, ready, a file in, an answer, the list, quit, wiped, nothing left`,
      { timeout: 120_000 },
      async () => {
        const lima = platformOf(way) === 'lima';
        const runner = vmRunner(lima ? standInEnv() : {});
        folders.push(runner.tmp, runner.cache);
        const run = startRun(runner, [...way.args, '--hold']);
        runs.push(run);
        const launcher = run.child.pid!;
        const qemu = platformOf(way) === 'qemu';
        const vms = qemu ? await waitFor(() => vmsOf(launcher), 30_000) : [];
        expect(vms).toHaveLength(qemu ? 1 : 0);

        const verified = await run.next('verified', 90_000);
        // The stand-in's guest shares this host's kernel, whose memory and CPU controllers are cgroup v1's:
        // the agent says plainly it cannot enforce those two there (a Lima guest has a kernel of its own).
        if (way.arch) expectGuestFacts(verified.facts, lima && !existsSync('/sys/fs/cgroup/cgroup.controllers') ? LIMITS_V1 : []);
        expect(verified.proven).toBe(true);
        await fullSession(run, platformOf(way), way.arch);
        expect(limaInstances(runner.cache)).toEqual([]);

        expect(await stillRunningAfter(vms, 5_000)).toEqual([]);
        expect(sessionContainers(runner, launcher)).toEqual([]);
        const left = readdirSync(runner.tmp).filter((f) => !PODMAN_RUNTIME.test(f));
        // The Linux way keeps what its canary learned of this host's Podman; Lima its (empty) home; QEMU nothing.
        const cached = readdirSync(runner.cache, { recursive: true }).map(String).sort();
        const kept = { linux: ['ai-way', 'ai-way/podman-profile.json'], qemu: [], lima: ['ai-way', 'ai-way/lima'] }[platformOf(way)];
        expect([left, cached]).toEqual([[], kept]);
      },
    );
  }
});

describe('the same session on the WSL2 way, through the wsl.exe stand-in', () => {
  const why = wslStandInUnavailable();
  if (why) console.warn(`SKIPPING the wsl2 session of the parity scenario: ${why}`);

  it.skipIf(why)('wsl2: proof, ready, a file in, an answer, the list, quit, wiped, nothing left', { timeout: 60_000 }, async () => {
    const standIn = useWslStandIn();
    try {
      const events: SessionEvent[] = [];
      const session = new Session(await windowsPlan(), await adapterEntry('wsl2').load(), (e) => events.push(e));
      await session.boot();
      const verified = events.find((e) => e.type === 'verified') as Extract<SessionEvent, { type: 'verified' }>;
      expect(verified.proven).toBe(true);
      // This host binds the memory and cpu controllers to cgroup v1: those two limits are said not to hold.
      expectGuestFacts(verified.facts.map((f) => (f.id === 'memory-limit' || f.id === 'cpu-limit' ? { id: f.id, ok: f.ok } : f)));
      expect(events.find((e) => e.type === 'ready')).toMatchObject({ platform: 'wsl2', guest: { flavor: 'alpine' } });
      const text = 'The appliance keeps notes. Notes stay inside.\n';
      const notes = path.join(scratch, 'wsl-notes.txt');
      writeFileSync(notes, text, { mode: 0o644 });
      expect(await session.addFile(notes)).toMatchObject({ name: 'wsl-notes.txt', size: text.length });
      expect((await session.ask('POST', '/cgi-bin/ask', 'notes')).body).toContain('notes: wsl-notes.txt (2)');
      expect((await session.listFiles()).files).toEqual([{ name: 'wsl-notes.txt', size: text.length }]);
      await session.wipe('the person quit');
      expect(events.some((e) => e.type === 'wiped')).toBe(true);
      expect(wslLeftovers(standIn)).toEqual([]);
    } finally {
      standIn.restore();
    }
  });
});

async function fullSession(run: Run, platform: string, arch: string | null): Promise<void> {
  const ready = await run.next('ready');
  if (arch) expect(ready).toMatchObject({ platform, guest: { flavor: 'alpine', arch } });
  else expect(ready).toMatchObject({ platform: 'linux', guest: null });
  const text = 'The appliance keeps notes. Notes stay inside.\n';
  const notes = path.join(scratch, 'notes.txt');
  writeFileSync(notes, text, { mode: 0o644 });
  run.send({ op: 'add', path: notes });
  expect(await run.next('uploaded')).toEqual({
    type: 'uploaded',
    name: 'notes.txt',
    size: text.length,
    sha256: createHash('sha256').update(text).digest('hex'),
    __taken: true,
  });
  run.send({ op: 'http', method: 'POST', path: '/cgi-bin/ask', body: 'notes' });
  expect((await run.next('answer')).body).toContain('notes: notes.txt (2)');
  run.send({ op: 'list' });
  expect((await run.next('files')).files).toEqual([{ name: 'notes.txt', size: text.length }]);
  run.send({ op: 'quit' });
  await run.next('wiped');
  expect(await run.exit).toBe(EXIT.ok);
}
