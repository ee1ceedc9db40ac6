// The Lima adapter's pure core: its lima.yaml (read back as YAML), the vmType for each Mac, the
// command lines, the guest's scripts, and the owner a name says.
import { describe, expect, it } from 'vitest';
import {
  agentScript,
  createCall,
  deleteCall,
  listCall,
  shellCall,
  startCall,
  stopCall,
  unpackScript,
} from '../../platforms/lima/commands.ts';
import { LIMA_IMAGES, limaConfig, limaYaml, vmTypeFor } from '../../platforms/lima/config.ts';
import { parseYamlSubset } from '../support/yaml-subset.ts';

const settings = { vmType: 'vz' as const, arch: 'aarch64' as const, cpus: 1.5, appBytes: 128 * 1024 ** 2, guestBytes: 12 * 1024 ** 2 };

describe('lima.yaml', () => {
  it('shares nothing with the host, sized from the Plan, the image pinned by digest', () => {
    const parsed = parseYamlSubset(limaYaml(settings));
    expect(parsed).toEqual(limaConfig(settings));
    expect(parsed).toMatchObject({
      vmType: 'vz',
      arch: 'aarch64',
      images: [{ arch: 'aarch64', location: LIMA_IMAGES.aarch64.location, digest: expect.stringMatching(/^sha512:[0-9a-f]{128}$/) }],
      cpus: 2,
      memory: '396MiB',
      plain: true,
      mounts: [],
      containerd: { system: false, user: false },
      portForwards: [{ guestIP: '0.0.0.0', proto: 'any', guestPortRange: [1, 65535], ignore: true }],
      ssh: { loadDotSSHPubKeys: false, forwardAgent: false },
      propagateProxyEnv: false,
    });
  });

  it('takes vz on Apple Silicon from macOS 13.5, QEMU otherwise', () => {
    const mac = (arch: 'x86_64' | 'aarch64' | null, macos: string | null) => ({ arch, macos });
    expect(vmTypeFor(mac('aarch64', '14.2.1'), 'aarch64')).toBe('vz');
    expect(vmTypeFor(mac('aarch64', '13.5'), 'aarch64')).toBe('vz');
    expect(vmTypeFor(mac('aarch64', '26.0'), 'aarch64')).toBe('vz');
    expect(vmTypeFor(mac('aarch64', '13.4.1'), 'aarch64')).toBe('qemu');
    expect(vmTypeFor(mac('aarch64', '12.7'), 'aarch64')).toBe('qemu');
    expect(vmTypeFor(mac('aarch64', '14.2'), 'x86_64')).toBe('qemu'); // vz cannot run another architecture
    expect(vmTypeFor(mac('x86_64', '14.2'), 'x86_64')).toBe('qemu');
    expect(vmTypeFor(mac('aarch64', null), 'aarch64')).toBe('qemu'); // not a Mac
  });
});

describe("limactl's command lines", () => {
  const home = '/home/u/.cache/ai-way/lima';
  it('run in ai-way own LIMA_HOME, never asking anything', () => {
    for (const c of [
      createCall('limactl', home, 'n', '/tmp/x/lima.yaml'),
      startCall('limactl', home, 'n'),
      stopCall('limactl', home, 'n'),
      deleteCall('limactl', home, 'n'),
      listCall('limactl', home),
    ]) {
      expect(c.env).toEqual({ LIMA_HOME: home });
    }
    expect(createCall('limactl', home, 'n', '/tmp/x/lima.yaml').argv).toEqual([
      'limactl',
      'create',
      '--tty=false',
      '--name=n',
      '/tmp/x/lima.yaml',
    ]);
    expect(startCall('limactl', home, 'n').argv).toEqual(['limactl', 'start', '--tty=false', 'n']);
    expect(stopCall('limactl', home, 'n').argv).toEqual(['limactl', 'stop', '--force', 'n']);
    expect(deleteCall('limactl', home, 'n').argv).toEqual(['limactl', 'delete', '--force', 'n']);
    expect(listCall('limactl', home).argv).toEqual(['limactl', 'list', '--json']);
    expect(shellCall('limactl', home, 'n', 'echo hi').argv).toEqual([
      'limactl',
      'shell',
      '--workdir',
      '/',
      'n',
      'sudo',
      '-n',
      '/bin/sh',
      '-c',
      'echo hi',
    ]);
  });

  it('unpack the guest into a tmpfs of its own and run the agent with the Plan limits', () => {
    expect(unpackScript(10 * 1024 ** 2)).toContain('mount -t tmpfs -o size=20971520,mode=0700 ai-way /run/ai-way');
    const script = agentScript({ shmBytes: 1, memBytes: 2, pids: 3, cpus: 0.5, accelerator: 'vz' });
    expect(script).toContain('mount -t tmpfs -o "$options" workspace /workspace');
    expect(script).toContain('mount -o remount,bind,ro /run/ai-way/appliance');
    expect(script).toMatch(/--shm-size 1 --memory 2 --pids 3 --cpus 0\.5 --accelerator vz -- "\$@"$/);
  });
});
