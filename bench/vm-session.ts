// QEMU session benchmarks, bundled and run by bench/run.mjs, for each architecture the build has a
// guest of: `ai-way run --platform qemu` from its start to ready (the agent's hello, the isolation
// proof, the app's health answer) against bare QEMU, started with the same command line, to the same
// signal in the same run; then, through the adapter as a session uses it, a file imported through the
// channel, the wipe (shutdown to QEMU gone), and the memory QEMU holds at ready.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Socket } from 'node:net';
import { command } from '../appliance/agent-protocol.ts';
import type { CarriedImage } from '../appliance/guest-images.ts';
import type { ImageArch } from '../appliance/image-policy.ts';
import type { Manifest } from '../appliance/manifest.ts';
import { AgentChannel } from '../launcher/session/channel.ts';
import { uploadFile } from '../launcher/session/files.ts';
import { httpRequest } from '../launcher/session/http.ts';
import { Launch } from '../launcher/session/launch.ts';
import type { RunnablePlan } from '../platforms/adapter.ts';
import { memoryArgs, vmCommand } from '../platforms/qemu/command.ts';
import { adapterEntry } from '../platforms/registry.ts';
import { cannotBoot, vmImage } from '../test/support/guest-boot.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface VmBench {
  arch: ImageArch;
  launcherMs: number;
  bareMs: number;
  importMiBps: number;
  wipeMs: number;
  rssMiB: number;
  memoryMiB: number;
}

/** Asks the app's health until it answers 200. */
async function healthy(ch: AgentChannel, port: number): Promise<void> {
  for (;;) {
    const a = await httpRequest(ch, port, 'GET', '/health', '', 5_000).catch(() => null);
    if (a?.status === 200) return;
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The launcher from its start to `ready`. */
function launcherRun(root: string, arch: ImageArch): Promise<number> {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const args = [path.join(root, 'bin', 'ai-way.mjs'), 'run', '--platform', 'qemu', '--arch', arch, '--hold', '--json'];
    const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'] });
    let got: number | null = null;
    let buf = '';
    child.stdout.on('data', (b) => {
      buf += b;
      for (const line of buf.split('\n').slice(0, -1)) {
        const e = JSON.parse(line);
        if (e.type === 'ready') {
          got = performance.now() - t;
          child.stdin.write('{"op":"quit"}\n');
        }
      }
      buf = buf.slice(buf.lastIndexOf('\n') + 1);
    });
    child.on('close', () => (got !== null ? resolve(got) : reject(new Error(`ai-way run --platform qemu --arch ${arch} did not boot`))));
  });
}

/** Bare QEMU with the adapter's own command line, to the same signal: hello, the report, the app's health. */
async function bareRun(plan: RunnablePlan, image: CarriedImage): Promise<number> {
  const arch = image.arch;
  const file = (role: string) => image.files.find((f) => f.role === role)!;
  const r = plan.resources;
  const cmd = vmCommand({
    host: 'linux',
    hostCpus: os.availableParallelism(),
    arch,
    owner: { sessionId: 'bench', launcherPid: process.pid, launcherStart: null },
    kernel: file('kernel').path,
    initramfs: file('initramfs').path,
    initramfsBytes: file('initramfs').bytes,
    channelPort: image.boot!.channelPort,
    channelFd: 3,
    settings: { ...r, accelerator: 'tcg' },
  });
  const t = performance.now();
  const qemu = spawn(cmd[0]!, cmd.slice(1), { stdio: ['ignore', 'ignore', 'ignore', 'pipe'] });
  const socket = qemu.stdio[3] as Socket;
  const ch = new AgentChannel(socket, socket, () => undefined);
  await ch.expect((m) => m.type === 'hello', 120_000, 'hello');
  await ch.request(command.report(), 'report', 10_000);
  await healthy(ch, plan.appliance.port);
  const ms = performance.now() - t;
  socket.end();
  await new Promise((r) => qemu.on('close', r));
  return ms;
}

/** Through the adapter: a file in, the wipe, and QEMU's memory at ready. */
async function adapterRun(plan: RunnablePlan, file: string): Promise<{ importMiBps: number; wipeMs: number; rssMiB: number }> {
  const adapter = await adapterEntry('qemu').load();
  const context = { sessionId: randomBytes(6).toString('hex'), host: null, warning: () => undefined };
  await adapter.prepare(plan, context);
  const guest = await adapter.start(plan, context);
  const pipe = guest.channel();
  const ch = new AgentChannel(pipe.toAgent, pipe.fromAgent, () => undefined);
  await ch.expect((m) => m.type === 'hello', 120_000, 'hello');
  await healthy(ch, plan.appliance.port);
  const qemu = qemuPid(context.sessionId);
  const rssKiB = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${qemu}/status`, 'utf8'))?.[1]);
  const t = performance.now();
  const up = await uploadFile(ch, file);
  const importMiBps = up.size / 1024 ** 2 / ((performance.now() - t) / 1000);
  const w = performance.now();
  await ch.request(command.shutdown(), 'bye', 3_000);
  await guest.wipe(5_000);
  return { importMiBps, wipeMs: performance.now() - w, rssMiB: rssKiB / 1024 };
}

function qemuPid(sessionId: string): number {
  for (const pid of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`ai-way-${sessionId}-`)) return Number(pid);
    } catch {
      /* gone */
    }
  }
  throw new Error(`no QEMU of session ${sessionId}`);
}

export async function benchVmSessions(root: string, runs: number): Promise<VmBench[]> {
  const out: VmBench[] = [];
  const file = path.join(os.tmpdir(), `ai-way-bench-import-${process.pid}.bin`);
  writeFileSync(file, Buffer.alloc(48 * 1024 ** 2, 7));
  try {
    for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
      const why = cannotBoot(arch, 'alpine', root);
      if (why) {
        console.log(`QEMU session ${arch}: skipped (${why})`);
        continue;
      }
      const image = vmImage(arch, 'alpine', root)!;
      const launch = new Launch('selftest', { image: 'auto', gpu: 'auto', platform: 'qemu', arch });
      const { report, spec } = await launch.examine();
      const plan = launch.plan(report, spec as Manifest);
      const launcher: number[] = [];
      const bare: number[] = [];
      const adapter: Awaited<ReturnType<typeof adapterRun>>[] = [];
      for (let i = 0; i < runs; i++) {
        launcher.push(await launcherRun(root, arch));
        bare.push(await bareRun(plan, image));
        adapter.push(await adapterRun(plan, file));
      }
      out.push({
        arch,
        launcherMs: median(launcher),
        bareMs: median(bare),
        importMiBps: median(adapter.map((a) => a.importMiBps)),
        wipeMs: median(adapter.map((a) => a.wipeMs)),
        rssMiB: median(adapter.map((a) => a.rssMiB)),
        memoryMiB: Number.parseInt(memoryArgs(plan.resources.memBytes, image.files.find((f) => f.role === 'initramfs')!.bytes)[1]!, 10),
      });
    }
  } finally {
    rmSync(file, { force: true });
  }
  return out;
}
