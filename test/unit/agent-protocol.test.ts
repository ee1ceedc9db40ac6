import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  FRAME,
  FrameDecoder,
  MAX_PAYLOAD,
  ProtocolError,
  command,
  encodeFrame,
  encodeToken,
  type Frame,
} from '../../appliance/agent-protocol.ts';
import { podmanRunArgs, ROOTFUL_SLOTS } from '../../appliance/engines/podman.ts';

describe('frames', () => {
  const frame = fc.record({
    type: fc.constantFrom(FRAME.control, FRAME.data, FRAME.eof),
    stream: fc.nat({ max: 2 ** 32 - 1 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  }) as fc.Arbitrary<Frame>;

  it('decode what was encoded, however the bytes are split', () => {
    fc.assert(
      fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat({ max: 50 }), { maxLength: 20 }), (frames, cuts) => {
        const bytes = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.stream, f.payload)));
        const decoder = new FrameDecoder();
        const got: Frame[] = [];
        let off = 0;
        for (const c of cuts) {
          got.push(...decoder.push(bytes.subarray(off, off + c)));
          off = Math.min(bytes.length, off + c);
        }
        got.push(...decoder.push(bytes.subarray(off)));
        expect(got.map((f) => [f.type, f.stream, Buffer.from(f.payload).toString('hex')])).toEqual(
          frames.map((f) => [f.type, f.stream, Buffer.from(f.payload).toString('hex')]),
        );
      }),
    );
  });

  it('refuse oversized frames and unknown types', () => {
    expect(() => encodeFrame(FRAME.data, 1, new Uint8Array(MAX_PAYLOAD + 1))).toThrow(RangeError);
    const big = new Uint8Array(9);
    new DataView(big.buffer).setUint32(0, MAX_PAYLOAD + 6);
    expect(() => new FrameDecoder().push(big)).toThrow(ProtocolError);
    expect(() => new FrameDecoder().push(new Uint8Array([0, 0, 0, 5, 9, 0, 0, 0, 0]))).toThrow(/unknown frame type 9/);
  });
});

describe('commands', () => {
  it('percent-encode names so no byte can split or end a command', () => {
    expect(encodeToken('report 2024.pdf')).toBe('report%202024.pdf');
    expect(encodeToken('ä/..\n')).toBe('%C3%A4%2F..%0A');
    expect(command.upload(3, 10, 'ab', 'a b')).toBe('UPLOAD 3 10 ab a%20b');
    fc.assert(
      fc.property(fc.string(), (s) => {
        expect(encodeToken(s)).toMatch(/^[A-Za-z0-9._%-]*$/);
      }),
    );
  });
});

describe('podman run', () => {
  const spec = {
    sessionId: 'abc',
    launcherPid: 42,
    usernsSlot: 3,
    image: 'img',
    command: ['/bin/app', '-x'],
    workspaceBytes: 1048576,
    workspaceExec: false,
    memBytes: 134217728,
    shmBytes: 33554432,
    cpus: 1,
    pids: 64,
    gpu: null,
  };
  const args = podmanRunArgs({ globalArgs: ['--runtime', 'runc'], nofileUlimit: true, userns: 'rootful' }, spec);
  it('asks for every isolation the product promises', () => {
    const joined = args.join(' ');
    for (const flag of [
      '--network=none',
      '--read-only',
      '--cap-drop=all',
      'no-new-privileges',
      '--rm',
      '-i',
      '--pull=never',
      '--log-driver=none',
      '--tmpfs /workspace:rw,size=1048576,mode=0700,nodev,nosuid,noexec',
      '--memory 134217728',
      '--pids-limit 64',
      '--ulimit nproc=64:64',
      '--ulimit data=134217728:134217728',
      '--ulimit nofile=1024:1024',
      '--uidmap 0:1000006144:2048',
      '--gidmap 0:1000006144:2048',
      '--label ai-way.session=abc',
      '--label ai-way.launcher-pid=42',
    ]) {
      expect(joined).toContain(flag);
    }
    expect(args.slice(0, 3)).toEqual(['--runtime', 'runc', 'run']);
    expect(args.slice(-8)).toEqual(['img', '--workspace', '/workspace', '--shm-size', '33554432', '--', '/bin/app', '-x']);
    expect(joined).not.toContain('--privileged');
  });
  it("gives the agent only the capabilities it builds the sandbox with, in the container's own user namespace", () => {
    const added = args.flatMap((a, i) => (a === '--cap-add' ? [args[i + 1]] : []));
    expect(added.sort()).toEqual(['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'NET_ADMIN', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_ADMIN']);
    expect(args.indexOf('--cap-drop=all')).toBeLessThan(args.indexOf('--cap-add'));
  });
  it("gives every session user ids of its own: rootless by Podman's allocator, rootful by the range of its slot", () => {
    const rootless = podmanRunArgs({ globalArgs: [], nofileUlimit: false, userns: 'auto' }, spec);
    expect(rootless).toContain('--userns=auto:size=2048');
    expect(rootless).not.toContain('--uidmap');
    const ranges = [0, 1, ROOTFUL_SLOTS - 1]
      .map((usernsSlot) => podmanRunArgs({ globalArgs: [], nofileUlimit: false, userns: 'rootful' }, { ...spec, usernsSlot }))
      .map((a) => a[a.indexOf('--uidmap') + 1]!.split(':').map(Number));
    expect(ranges.map(([, start]) => start)).toEqual([1000000000, 1000002048, 1000000000 + (ROOTFUL_SLOTS - 1) * 2048]);
    expect(ranges.every(([inside, start, size]) => inside === 0 && size === 2048 && start! + size! <= 2 ** 32 - 2)).toBe(true);
  });
  it("passes the GPU's device nodes on to the app's sandbox", () => {
    const gpu = {
      kind: null,
      devices: ['all'],
      edits: { deviceNodes: [{ path: '/dev/nvidia0' }, { path: '/dev/nvidiactl' }], mounts: [], env: [], hooks: [] },
    };
    const a = podmanRunArgs({ globalArgs: [], nofileUlimit: false, userns: 'auto' }, { ...spec, gpu: gpu as any });
    expect(a.slice(a.indexOf('--workspace'))).toEqual([
      '--workspace',
      '/workspace',
      '--shm-size',
      '33554432',
      '--device',
      '/dev/nvidia0',
      '--device',
      '/dev/nvidiactl',
      '--',
      '/bin/app',
      '-x',
    ]);
  });
  it('keeps noexec unless the manifest opts out', () => {
    const exec = podmanRunArgs(
      { globalArgs: [], nofileUlimit: false, userns: 'auto' },
      { ...spec, workspaceBytes: 1, workspaceExec: true },
    );
    expect(exec.join(' ')).toContain('nodev,nosuid ');
    expect(exec.join(' ')).not.toContain('noexec');
  });
});
