// Guest boot benchmarks, bundled and run by bench/run.mjs: each vm image the build carries booted
// under QEMU's software emulation (TCG) to the agent's hello and to the app's first health answer,
// and the power-off after the channel ends; the reference, in the same run, is the same kernel
// booting a trivial initramfs (a static busybox init that powers off at once) to QEMU's exit.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ImageArch } from '../appliance/image-policy.ts';
import { httpRequest } from '../launcher/session/http.ts';
import { packCpio } from '../packaging/guest/cpio.ts';
import { staticBusybox } from '../packaging/guest/debian.ts';
import { bootVm, cannotBoot, qemuCommand, vmImage } from '../test/support/guest-boot.ts';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export interface GuestBootTimes {
  arch: ImageArch;
  helloMs: number;
  readyMs: number;
  powerOffMs: number;
  trivialMs: number;
}

async function once(root: string, arch: ImageArch): Promise<{ helloMs: number; readyMs: number; powerOffMs: number }> {
  const vm = await bootVm(vmImage(arch, 'alpine', root)!);
  try {
    const ch = await vm.channel;
    await ch.expect((m) => m.type === 'hello', 120_000, 'hello');
    const helloMs = performance.now() - vm.startedAt;
    for (;;) {
      const a = await httpRequest(ch, 8080, 'GET', '/health', '', 5_000).catch(() => null);
      if (a?.status === 200) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const readyMs = performance.now() - vm.startedAt;
    vm.hangUp();
    const { ms } = await vm.exited;
    return { helloMs, readyMs, powerOffMs: ms - readyMs };
  } finally {
    vm.kill();
  }
}

/** The same kernel booting only a static busybox that powers off: from QEMU's start to its exit. */
function trivialBoot(root: string, arch: ImageArch): number {
  const busybox = arch === 'x86_64' && process.arch === 'x64' ? readFileSync('/bin/busybox') : staticBusybox(root, arch)?.data;
  if (!busybox) throw new Error(`no static busybox for ${arch}`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ai-way-bench-vm-'));
  const initramfs = path.join(dir, 'trivial.cpio');
  writeFileSync(
    initramfs,
    packCpio([
      { path: 'init', data: new TextEncoder().encode('#!/bin/busybox sh\n/bin/busybox poweroff -f\n'), mode: 0o755 },
      { path: 'bin', data: new Uint8Array(), directory: true },
      { path: 'bin/busybox', data: busybox, mode: 0o755 },
    ]),
  );
  const kernel = vmImage(arch, 'alpine', root)!.files.find((f) => f.role === 'kernel')!.path;
  const command = qemuCommand(arch, kernel, initramfs, '', { noChannel: true });
  const t = performance.now();
  spawnSync(command[0]!, command.slice(1), { stdio: 'ignore', timeout: 120_000 });
  return performance.now() - t;
}

export async function benchGuestBoot(root: string, runs: number): Promise<GuestBootTimes[]> {
  const out: GuestBootTimes[] = [];
  for (const arch of ['x86_64', 'aarch64'] as ImageArch[]) {
    const why = cannotBoot(arch, 'alpine', root);
    if (why) {
      console.log(`guest boot ${arch}: skipped (${why})`);
      continue;
    }
    const times: { helloMs: number; readyMs: number; powerOffMs: number }[] = [];
    const trivial: number[] = [];
    for (let i = 0; i < runs; i++) {
      times.push(await once(root, arch));
      trivial.push(trivialBoot(root, arch));
    }
    out.push({
      arch,
      helloMs: median(times.map((t) => t.helloMs)),
      readyMs: median(times.map((t) => t.readyMs)),
      powerOffMs: median(times.map((t) => t.powerOffMs)),
      trivialMs: median(trivial),
    });
  }
  return out;
}
