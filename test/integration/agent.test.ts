// The in-guest agent binary itself, driven over its stdio with hostile input. Outside a container
// its workspace is an ordinary folder, which makes any write outside it visible. It also builds
// the app's sandbox here with no container engine around it, as it will inside a VM guest.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRAME, command, encodeFrame } from '../../appliance/agent-protocol.ts';
import { AgentChannel } from '../../launcher/session/channel.ts';
import { verifyIsolation } from '../../appliance/isolation.ts';
import { busyboxApplianceFiles, selftestWww } from '../../packaging/build-selftest-image.ts';
import { asUser } from '../support/rootless.ts';

const AGENT = path.resolve(import.meta.dirname, '../../build/native', `ai-way-agent-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}`);
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

/** What this test judges: the sandbox's facts; the limits of an engine or a VM are not asked for. */
const SANDBOX_ONLY = { workspaceBytes: 1, workspaceExec: false, memBytes: 1, shmBytes: 8 << 20, cpus: 1, pids: 1, gpuNodes: [] };

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
      ]) {
        expect([id, facts[id]!.ok, facts[id]!.detail]).toEqual([id, true, facts[id]!.detail]);
      }
      // What only an engine or a VM gives: the host's own user ids, a tmpfs workspace, limits.
      expect(facts['user-namespace']!.ok).toBe(false);
      expect(report.uid).toBe(1000);
      a.child.stdin.end();
      expect(await a.exit).toBe(0);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  it('an agent without the privileges to build it never starts the app, and its report says why', async () => {
    const a = startAgent([], ['/bin/sleep', '600'], (argv) => asUser(argv));
    await a.ch.expect((m) => m.type === 'hello', 5000, 'hello');
    const report: any = await a.ch.request(command.report(), 'report', 5000);
    expect(report.error).toMatch(/^the app's sandbox could not be built: .*: Operation not permitted$/);
    expect(verifyIsolation(report, SANDBOX_ONLY).proven).toBe(false);
    expect(await a.ch.request(command.status(), 'status', 5000)).toMatchObject({ app: 'exited', exitCode: 126 });
    a.child.stdin.end();
    expect(await a.exit).toBe(0);
  });
});
