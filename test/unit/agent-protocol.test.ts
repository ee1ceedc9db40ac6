import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { FRAME, FrameDecoder, MAX_PAYLOAD, ProtocolError, command, encodeFrame, encodeToken, type Frame } from '../../appliance/agent-protocol.ts';
import { podmanRunArgs } from '../../appliance/engines/podman.ts';

describe('frames', () => {
  const frame = fc.record({
    type: fc.constantFrom(FRAME.control, FRAME.data, FRAME.eof),
    stream: fc.nat({ max: 2 ** 32 - 1 }),
    payload: fc.uint8Array({ maxLength: 300 }),
  }) as fc.Arbitrary<Frame>;

  it('decode what was encoded, however the bytes are split', () => {
    fc.assert(fc.property(fc.array(frame, { maxLength: 8 }), fc.array(fc.nat({ max: 50 }), { maxLength: 20 }), (frames, cuts) => {
      const bytes = Buffer.concat(frames.map((f) => encodeFrame(f.type, f.stream, f.payload)));
      const decoder = new FrameDecoder();
      const got: Frame[] = [];
      let off = 0;
      for (const c of cuts) { got.push(...decoder.push(bytes.subarray(off, off + c))); off = Math.min(bytes.length, off + c); }
      got.push(...decoder.push(bytes.subarray(off)));
      expect(got.map((f) => [f.type, f.stream, Buffer.from(f.payload).toString('hex')]))
        .toEqual(frames.map((f) => [f.type, f.stream, Buffer.from(f.payload).toString('hex')]));
    }));
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
    fc.assert(fc.property(fc.string(), (s) => { expect(encodeToken(s)).toMatch(/^[A-Za-z0-9._%-]*$/); }));
  });
});

describe('podman run', () => {
  const args = podmanRunArgs({ globalArgs: ['--runtime', 'runc'], nofileUlimit: true, userns: ['--uidmap', '0:1000000000:65536'] }, {
    sessionId: 'abc', launcherPid: 42, image: 'img', command: ['/bin/app', '-x'], workspaceBytes: 1048576, workspaceExec: false, memBytes: 134217728, cpus: 1, pids: 64, gpu: null,
  });
  it('asks for every isolation the product promises', () => {
    const joined = args.join(' ');
    for (const flag of ['--network=none', '--read-only', '--cap-drop=all', 'no-new-privileges', '--rm', '-i', '--pull=never', '--log-driver=none',
      '--tmpfs /workspace:rw,size=1048576,mode=0700,nodev,nosuid,noexec', '--memory 134217728', '--pids-limit 64', '--ulimit nproc=64:64',
      '--ulimit data=134217728:134217728', '--ulimit nofile=1024:1024', '--uidmap 0:1000000000:65536', '--label ai-way.session=abc', '--label ai-way.launcher-pid=42']) {
      expect(joined).toContain(flag);
    }
    expect(args.slice(0, 3)).toEqual(['--runtime', 'runc', 'run']);
    expect(args.slice(-6)).toEqual(['img', '--workspace', '/workspace', '--', '/bin/app', '-x']);
    expect(joined).not.toContain('--privileged');
  });
  it('keeps noexec unless the manifest opts out', () => {
    const exec = podmanRunArgs({ globalArgs: [], nofileUlimit: false, userns: [] }, { sessionId: 'a', launcherPid: 1, image: 'i', command: ['/a'], workspaceBytes: 1, workspaceExec: true, memBytes: 1, cpus: 1, pids: 8, gpu: null });
    expect(exec.join(' ')).toContain('nodev,nosuid ');
    expect(exec.join(' ')).not.toContain('noexec');
  });
});
