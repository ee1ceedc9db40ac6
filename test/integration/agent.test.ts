// The in-guest agent binary itself, driven over its stdio with hostile input. Outside a container
// its workspace is an ordinary folder, which makes any write outside it visible. It also builds
// the app's sandbox here with no container engine around it, as it will inside a VM guest.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRAME, command, encodeFrame } from '../../appliance/agent-protocol.ts';
import { AgentChannel } from '../../launcher/session/channel.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import { busyboxApplianceFiles, selftestWww } from '../../packaging/build-selftest-image.ts';
import { asUser, forTheUser, removeInstall } from '../support/rootless.ts';

const ARCH = process.arch === 'arm64' ? 'aarch64' : 'x86_64';
const AGENT = path.resolve(import.meta.dirname, '../../build/native', `ai-way-agent-${ARCH}`);
afterAll(() => removeInstall()); // the test user's copy of the build, if a test made one
const missing = existsSync(AGENT) ? null : `${AGENT} is not built (npm run build)`;
if (missing) console.warn(`SKIPPING agent tests: ${missing}`);

function startAgent(
  options: string[] = [],
  app = ['/bin/sleep', '600'],
  as: (argv: string[]) => { cmd: string; args: string[] } = (a) => ({ cmd: a[0]!, args: a.slice(1) }),
) {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ai-way-agent-'));
  chmodSync(root, 0o755);
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace);
  const { cmd, args } = as([AGENT, '--workspace', workspace, ...options, '--', ...app]);
  const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  const ch = new AgentChannel(child.stdin, child.stdout, () => undefined);
  const exit = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  return { root, workspace, child, ch, exit };
}

async function upload(ch: AgentChannel, name: string, data: Buffer, sha = createHash('sha256').update(data).digest('hex')) {
  const stream = ch.openStream({ data: () => undefined, eof: () => undefined });
  await ch.request(command.upload(stream, data.length, sha, name), 'upload-ready', 5000, stream);
  const done = ch.reply('uploaded', 5000, 'UPLOAD', stream);
  await ch.write(stream, data);
  ch.endStream(stream);
  return done;
}

describe.skipIf(missing !== null)('ai-way-agent', () => {
  it('refuses names that leave the workspace or hide in it, and writes nothing anywhere', async () => {
    const a = startAgent();
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    for (const name of ['../escape', 'a/b', '.', '..', 'bad\u0001', '.upload-7', 'x'.repeat(256)]) {
      await expect(upload(a.ch, name, Buffer.from('x'))).rejects.toThrow(/^name/);
    }
    await expect(upload(a.ch, '', Buffer.from('x'))).rejects.toThrow(/^command: malformed/); // no name token at all
    expect(readdirSync(a.workspace)).toEqual([]);
    expect(readdirSync(a.root)).toEqual(['workspace']);
    a.child.stdin.end();
    expect(await a.exit).toBe(0);
  });

  it('keeps a file only when its SHA-256 matches, and never overwrites', async () => {
    const a = startAgent();
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    await expect(upload(a.ch, 'x.txt', Buffer.from('hello'), '0'.repeat(64))).rejects.toThrow(/sha256/);
    expect(readdirSync(a.workspace)).toEqual([]);
    expect(await upload(a.ch, 'x.txt', Buffer.from('hello'))).toMatchObject({ name: 'x.txt', size: 5 });
    expect(readFileSync(path.join(a.workspace, 'x.txt'), 'utf8')).toBe('hello');
    await expect(upload(a.ch, 'x.txt', Buffer.from('other'))).rejects.toThrow(/exists/);
    a.child.stdin.end();
    await a.exit;
  });

  it("wipes without following links, and the dead man's switch empties the workspace on end of input", async () => {
    const a = startAgent();
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    const outside = path.join(a.root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'keep.txt'), 'keep');
    symlinkSync(outside, path.join(a.workspace, 'link'));
    mkdirSync(path.join(a.workspace, 'dir'));
    writeFileSync(path.join(a.workspace, 'dir', 'f'), 'f');
    const wiped = await a.ch.request(command.wipe(), 'wiped', 5000);
    expect(wiped).toMatchObject({ type: 'wiped' });
    expect(readdirSync(a.workspace)).toEqual([]);
    expect(readFileSync(path.join(outside, 'keep.txt'), 'utf8')).toBe('keep');
    writeFileSync(path.join(a.workspace, 'late.txt'), 'late');
    const t = Date.now();
    a.child.stdin.end();
    expect(await a.exit).toBe(0);
    expect(Date.now() - t).toBeLessThan(3000);
    expect(readdirSync(a.workspace)).toEqual([]);
  });

  it("a garbage frame ends the session as the dead man's switch does", async () => {
    const a = startAgent();
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    writeFileSync(path.join(a.workspace, 'f'), 'f');
    a.child.stdin.write(Buffer.from([0xff, 0xff, 0xff, 0xff, 1, 0, 0, 0, 0]));
    expect(await a.exit).toBe(0);
    expect(readdirSync(a.workspace)).toEqual([]);
  });

  it('data on a stream it never opened is a protocol error too', async () => {
    const a = startAgent();
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    a.child.stdin.write(encodeFrame(FRAME.data, 42, Buffer.from('stray')));
    expect(await a.exit).toBe(0);
  });
});

/** [inside, outside, count] rows of an id map file. */
const idMap = (file: string) =>
  readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.trim().split(/\s+/).map(Number));

/** The folder of the cgroup v2 a process is in, or null where there is no cgroup v2. */
function cgroupOf(pid: number): string | null {
  const mount = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((l) => l.split(' '))
    .find((f) => f[f.indexOf('-') + 1] === 'cgroup2');
  const line = readFileSync(`/proc/${pid}/cgroup`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('0::'));
  return mount && line ? path.join(mount[4]!, line.slice(3)) : null;
}

/** A guest's root folder: the selftest image's files, unpacked as a VM guest would hold them. */
function guestRoot(dir: string): string {
  const root = path.join(dir, 'guest');
  for (const e of busyboxApplianceFiles(readFileSync('/bin/busybox'), AGENT, selftestWww(path.resolve(import.meta.dirname, '../..')))) {
    const at = path.join(root, e.path);
    mkdirSync(path.dirname(at), { recursive: true });
    if (e.directory) mkdirSync(at, { recursive: true, mode: e.mode ?? 0o755 });
    else if (e.linkTarget) symlinkSync(e.linkTarget, at);
    else {
      writeFileSync(at, e.data);
      chmodSync(at, e.mode ?? 0o644);
    }
  }
  return root;
}

/** What this test judges: the sandbox's facts, as in a VM guest (no engine beneath the agent); no limits are asked for. */
const SANDBOX_ONLY = {
  isolation: 'vm' as 'container' | 'vm',
  workspaceBytes: 1,
  workspaceExec: false,
  memBytes: 1,
  shmBytes: 8 << 20,
  cpus: 1,
  pids: 1,
  gpuNodes: [],
};

const notRoot = process.getuid?.() !== 0 ? 'building the sandbox without an engine needs root (as in a VM guest)' : null;

describe.skipIf(missing !== null || notRoot !== null || !existsSync('/bin/busybox'))("the app's sandbox without a container engine", () => {
  it("holds on its own in a guest's root: no network, no privileges, nothing writable but its workspace, no way to the agent", async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-guest-'));
    try {
      const a = startAgent(['--root', guestRoot(scratch), '--shm-size', String(8 << 20)], ['/bin/busybox', 'sleep', '600']);
      await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
      const report: any = await a.ch.request(command.report(), 'report', 5000);
      const facts = Object.fromEntries(verifyIsolation(report, SANDBOX_ONLY).facts.map((f) => [f.id, f]));
      // This host has real network interfaces; the app sees only its own loopback.
      expect(readFileSync('/proc/net/dev', 'utf8').split('\n').length).toBeGreaterThan(4);
      for (const id of [
        'network',
        'outbound',
        'read-only-root',
        'read-only-mounts',
        'shared-memory',
        'capabilities',
        'no-new-privileges',
        'seccomp',
        'apart-from-agent',
        'user-namespace',
      ]) {
        expect([id, facts[id]!.ok, facts[id]!.detail]).toEqual([id, true, facts[id]!.detail]);
      }
      // The app's user namespace holds its own ids alone; beneath it, this host's own ids (as a guest's are).
      expect(report).toMatchObject({ uid: 1000, uidMap: [[1000, 1000, 1]], gidMap: [[1000, 1000, 1]], setgroups: 'deny' });
      expect(report.agentUidMap).toEqual(idMap('/proc/self/uid_map'));
      expect(report.kernel).toEqual({ release: os.release(), arch: ARCH });
      expect(report.told).toEqual({ accelerator: null });
      // Judged as a container, those ids beneath are the host's, root too: not proven.
      expect(
        verifyIsolation(report, { ...SANDBOX_ONLY, isolation: 'container' }).facts.find((f) => f.id === 'user-namespace'),
      ).toMatchObject({
        ok: false,
      });
      a.child.stdin.end();
      expect(await a.exit).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('gives the app a cgroup of its own with the limits asked for, says plainly what the kernel cannot limit, and removes it', async () => {
    const scratch = mkdtempSync(path.join(os.tmpdir(), 'ai-way-guest-'));
    try {
      const limits = ['--memory', String(128 << 20), '--pids', '64', '--cpus', '0.5', '--accelerator', 'tcg'];
      const a = startAgent(['--root', guestRoot(scratch), ...limits], ['/bin/busybox', 'sleep', '600']);
      let stderr = '';
      a.child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const hello: any = await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
      const report: any = await a.ch.request(command.report(), 'report', 5000);
      expect(report.told).toEqual({ accelerator: 'tcg' });
      expect(report.rlimits.nproc).toEqual([64, 64]); // the app's user's processes, with or without a pids controller
      const mine = cgroupOf(process.pid); // the agent's too: it is this process's child
      const app = mine && path.join(mine, `ai-way-app-${a.child.pid}`);
      if (!app) {
        expect(stderr).toContain('no cgroup v2 here');
        expect(report.cgroup.controllers).toBeNull();
      } else {
        // The supervisor joined it before the app existed; the app reads it as its own.
        expect(cgroupOf(hello.appPid)).toBe(app);
        expect(report.cgroup.controllers).toEqual(readFileSync(path.join(app, 'cgroup.controllers'), 'utf8').split(/\s+/).filter(Boolean));
      }
      // Each limit is read back inside, or the agent said why not and the verdict says "not enforced".
      const asked = { ...SANDBOX_ONLY, memBytes: 128 << 20, cpus: 0.5, pids: 64 };
      const facts = Object.fromEntries(verifyIsolation(report, asked).facts.map((f) => [f.id, f]));
      for (const [controller, field, value, id] of [
        ['memory', 'memoryMax', String(128 << 20), 'memory-limit'],
        ['cpu', 'cpuMax', '50000 100000', 'cpu-limit'],
      ] as const) {
        if (report.cgroup[field] === value) expect(facts[id]).toMatchObject({ ok: true, warning: undefined });
        else {
          expect(stderr).toMatch(new RegExp(`the app's [a-z ]+ is not limited: the ${controller} controller|no cgroup v2 here`));
          expect(facts[id]).toMatchObject({ ok: true, warning: true, detail: expect.stringMatching(/not enforced/) });
        }
      }
      a.child.stdin.end();
      expect(await a.exit).toBe(0);
      if (app) expect(existsSync(app)).toBe(false);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('an agent without the privileges to build it never starts the app, and its report says why', async () => {
    // The test user runs the agent from its own copy of the build: the checkout may be out of its reach.
    const a = startAgent([], ['/bin/sleep', '600'], ([agent, ...rest]) => asUser([forTheUser(agent!), ...rest]));
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    const report: any = await a.ch.request(command.report(), 'report', 5000);
    expect(report.error).toMatch(/^the app's sandbox could not be built: .*: Operation not permitted$/);
    expect(verifyIsolation(report, SANDBOX_ONLY).proven).toBe(false);
    expect(await a.ch.request(command.status(), 'status', 5000)).toMatchObject({ app: 'exited', exitCode: 126 });
    a.child.stdin.end();
    expect(await a.exit).toBe(0);
  });
});
