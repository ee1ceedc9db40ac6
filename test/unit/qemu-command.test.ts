// The QEMU command line, piece by piece: machine, processor, accelerator, memory, processors, what
// the guest is sealed from, QEMU's own sandbox, the console, the channel, the kernel's command line,
// the label reaping reads back, what makes QEMU die with the launcher, and the accelerator's test boot.
import { describe, expect, it } from 'vitest';
import {
  acceleratorArgs,
  channelArgs,
  cpuArgs,
  dieWithLauncher,
  kernelCommandLine,
  machineArgs,
  MODEL_SERIAL,
  memoryArgs,
  modelArgs,
  ownerOf,
  PANIC_LINE,
  probeCommand,
  processorArgs,
  qemuProgram,
  sandboxArgs,
  SEALED,
  vmCommand,
  vmName,
  type VmSpec,
} from '../../platforms/qemu/command.ts';
import { orphanedVms } from '../../platforms/qemu/reap.ts';

const MiB = 1024 ** 2;
const settings = { workspaceBytes: 64 * MiB, shmBytes: 32 * MiB, memBytes: 128 * MiB, pids: 64, cpus: 1, accelerator: 'tcg' as const };
const spec: VmSpec = {
  host: 'linux',
  hostCpus: 2,
  arch: 'x86_64',
  owner: { sessionId: '0123456789ab', launcherPid: 4242, launcherStart: '987654' },
  kernel: '/k/vmlinuz',
  initramfs: '/k/initramfs',
  initramfsBytes: 10 * MiB,
  channelPort: 'ai-way',
  channelFd: 3,
  settings,
};

describe('the pieces of the command line', () => {
  it('the program and machine of each architecture: pc (PCI built in) and virt', () => {
    expect([qemuProgram('x86_64'), machineArgs('x86_64')]).toEqual(['qemu-system-x86_64', ['-M', 'pc']]);
    expect([qemuProgram('aarch64'), machineArgs('aarch64')]).toEqual(['qemu-system-aarch64', ['-M', 'virt']]);
  });

  it('emulation is multi-threaded; hardware accelerators are named as they are', () => {
    expect(acceleratorArgs('tcg')).toEqual(['-accel', 'tcg,thread=multi']);
    for (const a of ['kvm', 'hvf', 'whpx'] as const) expect(acceleratorArgs(a)).toEqual(['-accel', a]);
  });

  it("the host's processor under KVM and HVF; emulated, the most capable model, aarch64's with the cheap pointer authentication", () => {
    expect(cpuArgs('x86_64', 'kvm')).toEqual(['-cpu', 'host']);
    expect(cpuArgs('aarch64', 'hvf')).toEqual(['-cpu', 'host']);
    expect(cpuArgs('x86_64', 'tcg')).toEqual(['-cpu', 'max']);
    expect(cpuArgs('x86_64', 'whpx')).toEqual(['-cpu', 'max']);
    expect(cpuArgs('aarch64', 'tcg')).toEqual(['-cpu', 'max,pauth-impdef=on']);
  });

  it("memory: the app's, the guest's overhead and the unpacked initramfs, rounded up to a MiB", () => {
    expect(memoryArgs(128 * MiB, 10 * MiB)).toEqual(['-m', '202M']);
    expect(memoryArgs(128 * MiB, 10 * MiB + 1)).toEqual(['-m', '203M']);
  });

  it("the model's copy in the guest's memory adds its size", () => {
    expect(memoryArgs(128 * MiB, 10 * MiB, 3.5 * MiB)).toEqual(['-m', '206M']);
  });

  it('processors: the app’s share rounded up, at least one, no more than the host has', () => {
    expect(processorArgs(0.5, 8)).toEqual(['-smp', '1']);
    expect(processorArgs(2.5, 8)).toEqual(['-smp', '3']);
    expect(processorArgs(16, 2)).toEqual(['-smp', '2']);
    expect(processorArgs(4, null)).toEqual(['-smp', '4']);
  });

  it("QEMU's own seccomp sandbox where its build has one (Linux), nothing elsewhere", () => {
    expect(sandboxArgs('linux')).toEqual(['-sandbox', 'on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny']);
    expect(sandboxArgs('macos')).toEqual([]);
    expect(sandboxArgs('windows')).toEqual([]);
  });

  it('the channel: a virtio-serial port on the inherited socket, named as the guest expects', () => {
    expect(channelArgs(3, 'ai-way')).toEqual([
      '-chardev',
      'socket,id=channel,fd=3',
      '-device',
      'virtio-serial-pci',
      '-device',
      'virtserialport,chardev=channel,name=ai-way',
    ]);
  });

  it("the kernel's command line: each architecture's console, no reboot on panic, the init's settings", () => {
    expect(kernelCommandLine('x86_64', settings)).toBe(
      `console=ttyS0 quiet panic=-1 aiway_workspace=${64 * MiB} aiway_shm=${32 * MiB} aiway_memory=${128 * MiB} ` +
        'aiway_pids=64 aiway_cpus=1 aiway_accel=tcg',
    );
    expect(kernelCommandLine('aarch64', { ...settings, cpus: 1 / 3, accelerator: 'kvm' })).toMatch(
      /^console=ttyAMA0 .* aiway_cpus=0\.333 aiway_accel=kvm$/,
    );
  });

  it('the label names the session and its launcher, and reads back; anything else is not ours', () => {
    expect(vmName(spec.owner)).toBe('ai-way-0123456789ab-4242-987654');
    expect(ownerOf(vmName(spec.owner))).toEqual(spec.owner);
    const unknownStart = { ...spec.owner, launcherStart: null };
    expect(ownerOf(vmName(unknownStart))).toEqual(unknownStart);
    for (const other of ['ai-way', 'debian-vm', 'ai-way-XYZ-1-2', 'ai-way-0123-12-34-extra']) expect(ownerOf(other)).toBeNull();
  });

  it('QEMU runs under setpriv with a parent-death signal on Linux; elsewhere, or without setpriv, under nothing', () => {
    expect(dieWithLauncher('linux', true)).toEqual(['setpriv', '--pdeathsig', 'KILL', '--']);
    expect(dieWithLauncher('wsl2', true)).toEqual(['setpriv', '--pdeathsig', 'KILL', '--']);
    expect(dieWithLauncher('linux', false)).toEqual([]);
    expect(dieWithLauncher('macos', true)).toEqual([]);
  });
});

describe('the model', () => {
  const withModel = vmCommand({ ...spec, model: { file: '/m/a,b.gguf', bytes: 3 * MiB + 1 } });

  it('enters as one read-only raw drive, found by its serial; a comma in its path is doubled', () => {
    expect(modelArgs('/m/a,b.gguf')).toEqual([
      '-drive',
      'file=/m/a,,b.gguf,format=raw,readonly=on,if=none,id=model',
      '-device',
      `virtio-blk-pci,drive=model,serial=${MODEL_SERIAL}`,
    ]);
    expect(withModel.slice(-4)).toEqual(modelArgs('/m/a,b.gguf'));
    expect(withModel.filter((a) => a === '-drive')).toHaveLength(1);
  });

  it("tells the guest's init its exact size, and the guest's memory grows by it", () => {
    expect(withModel[withModel.indexOf('-append') + 1]).toMatch(new RegExp(` aiway_model=${3 * MiB + 1}$`));
    expect(withModel[withModel.indexOf('-m') + 1]).toBe('206M');
    expect(vmCommand({ ...spec, model: null }).join(' ')).not.toMatch(/-drive|aiway_model/);
  });
});

describe('the whole command line', () => {
  it('is the pieces in order, sealed: no network card, display, default devices, disk or host folder', () => {
    const cmd = vmCommand(spec);
    expect(cmd).toEqual([
      'qemu-system-x86_64',
      '-name',
      'ai-way-0123456789ab-4242-987654',
      ...['-M', 'pc', '-accel', 'tcg,thread=multi', '-cpu', 'max', '-m', '202M', '-smp', '1'],
      ...SEALED,
      ...sandboxArgs('linux'),
      ...['-serial', 'stdio', '-kernel', '/k/vmlinuz', '-initrd', '/k/initramfs', '-append', kernelCommandLine('x86_64', settings)],
      ...channelArgs(3, 'ai-way'),
    ]);
    for (const sealed of ['-nodefaults', '-no-user-config', '-no-reboot']) expect(cmd).toContain(sealed);
    expect(cmd.join(' ')).toContain('-nic none -display none');
    for (const door of ['-drive', '-hda', '-cdrom', '-virtfs', '-fsdev', '-netdev', '-device virtio-9p', '-monitor', '-qmp', '-vnc']) {
      expect(cmd.join(' ')).not.toContain(door);
    }
  });

  it("the accelerator's test boot starts the kernel alone, so a working one ends in the kernel's panic for want of a root", () => {
    expect(probeCommand('aarch64', 'kvm', '/k/vmlinuz')).toEqual([
      'qemu-system-aarch64',
      ...['-M', 'virt', '-accel', 'kvm', '-cpu', 'host', '-m', '128M'],
      ...SEALED,
      ...['-serial', 'stdio', '-kernel', '/k/vmlinuz', '-append', 'console=ttyAMA0 panic=-1 loglevel=1'],
    ]);
    expect(PANIC_LINE.test('[    1.15] Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)')).toBe(true);
    expect(PANIC_LINE.test('[    0.00] Linux version 6.1.0-57-cloud-amd64')).toBe(false);
  });
});

describe('reaping', () => {
  const qemu = (pid: number, name: string) => ({ pid, args: ['qemu-system-x86_64', '-name', name, '-M', 'pc'] });
  const dead = vmName({ sessionId: 'aaaaaaaaaaaa', launcherPid: 100, launcherStart: '5' });
  const alive = vmName({ sessionId: 'bbbbbbbbbbbb', launcherPid: 200, launcherStart: '6' });
  const runs = (pid: number, start: string | null) => pid === 200 && start === '6';

  it("finds ai-way's virtual machines whose launcher is gone, and leaves a live launcher's, other VMs and other programs", () => {
    const found = orphanedVms(
      [
        qemu(1, dead),
        qemu(2, alive),
        qemu(3, 'someone-elses-vm'),
        { pid: 4, args: ['/usr/bin/qemu-system-aarch64', '-name', dead] },
        { pid: 5, args: ['sleep', '-name', dead] },
        { pid: 6, args: ['qemu-system-x86_64', '-M', 'pc'] },
        { pid: 7, args: ['qemu-system-x86_64', '-name'] },
      ],
      runs,
    );
    expect(found.map((f) => f.pid)).toEqual([1, 4]);
    expect(found[0]!.owner).toEqual({ sessionId: 'aaaaaaaaaaaa', launcherPid: 100, launcherStart: '5' });
  });
});
