// The in-guest agent binary itself, driven over its stdio with hostile input. Outside a container
// its workspace is an ordinary folder, which makes any write outside it visible.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FRAME, command, encodeFrame } from '../../appliance/agent-protocol.ts';
import { AgentChannel } from '../../launcher/session/channel.ts';

const AGENT = path.resolve(import.meta.dirname, '../../build/native', `ai-way-agent-${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}`);
const missing = existsSync(AGENT) ? null : `${AGENT} is not built (npm run build)`;
if (missing) console.warn(`SKIPPING agent tests: ${missing}`);

function startAgent() {
  const root = mkdtempSync(path.join(os.tmpdir(), 'ai-way-agent-'));
  const workspace = path.join(root, 'workspace');
  mkdirSync(workspace);
  const child = spawn(AGENT, ['--workspace', workspace, '--', '/bin/sleep', '600'], { stdio: ['pipe', 'pipe', 'pipe'] });
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

  it('wipes without following links, and the dead man\'s switch empties the workspace on end of input', async () => {
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

  it('a garbage frame ends the session as the dead man\'s switch does', async () => {
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
