// wsl.exe's command lines for a session, pure: where wsl.exe is looked for, the distribution's name
// (whose it is, for reaping) and folder, the import, the agent by --exec, and which leftovers are
// a dead launcher's.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { agentArgs, distroName, distroOwner, distrosFolder, importArgs, WSL_GPU, wslCandidates } from '../../platforms/wsl2/command.ts';
import { orphanedDistros } from '../../platforms/wsl2/reap.ts';

describe("wsl.exe's command lines", () => {
  it('look for the Store WSL under Program Files first, then the one in System32', () => {
    expect(wslCandidates({ ProgramFiles: 'D:\\Programs', SystemRoot: 'C:\\Win' })).toEqual([
      'D:\\Programs\\WSL\\wsl.exe',
      'C:\\Win\\System32\\wsl.exe',
    ]);
    expect(wslCandidates({})).toEqual(['C:\\Program Files\\WSL\\wsl.exe', 'C:\\Windows\\System32\\wsl.exe']);
  });

  it("name each distribution by its session and launcher, so reaping can tell a dead launcher's", () => {
    const name = distroName({ sessionId: '0a1b2c', launcherPid: 4242, launcherStart: '987' });
    expect(name).toBe('ai-way-0a1b2c-4242-987');
    expect(distroOwner(name)).toEqual({ sessionId: '0a1b2c', launcherPid: 4242, launcherStart: '987' });
    expect(distroOwner('ai-way-0a1b2c-4242-unknown')?.launcherStart).toBeNull();
    for (const theirs of ['Ubuntu', 'ai-way', 'docker-desktop', 'ai-way-x-1-2']) expect(distroOwner(theirs)).toBeNull();
    const alive = (pid: number) => pid === 1;
    expect(orphanedDistros(['Ubuntu', 'ai-way-aa-1-5', 'ai-way-bb-2-5', 'ai-way-cc-3-unknown'], alive)).toEqual([
      'ai-way-bb-2-5',
      'ai-way-cc-3-unknown',
    ]);
  });

  it("import into the user's local app data as WSL 2", () => {
    const folder = path.win32.join(distrosFolder('C:\\Users\\ann\\AppData\\Local'), 'ai-way-aa-1-5');
    expect(importArgs('ai-way-aa-1-5', folder, 'C:\\cache\\g.wsl.tar')).toEqual([
      '--import',
      'ai-way-aa-1-5',
      'C:\\Users\\ann\\AppData\\Local\\ai-way\\wsl\\ai-way-aa-1-5',
      'C:\\cache\\g.wsl.tar',
      '--version',
      '2',
    ]);
  });

  it('start the agent by --exec through the guest start script, the GPU passed where asked', () => {
    const spec = { workspaceBytes: 1024, workspaceExec: false, shmBytes: 64, memBytes: 4096, pids: 8, cpus: 0.5, command: ['app', '--x'] };
    const plain = agentArgs('d', { ...spec, devices: [], folders: [] });
    expect(plain.slice(0, 8)).toEqual(['-d', 'd', '--exec', '/usr/lib/ai-way/busybox', 'sh', '/usr/lib/ai-way/wsl-start.sh', '1024', '0']);
    expect(plain).toEqual(expect.arrayContaining(['--memory', '4096', '--pids', '8', '--cpus', '0.5', '--accelerator', 'hyperv']));
    expect(plain.slice(plain.indexOf('--'))).toEqual(['--', 'app', '--x']);
    const gpu = agentArgs('d', { ...spec, ...WSL_GPU });
    expect(gpu).toEqual(
      expect.arrayContaining(['--device', '/dev/dxg', '--read-only', '/usr/lib/wsl/lib', '--read-only', '/usr/lib/wsl/drivers']),
    );
  });
});
